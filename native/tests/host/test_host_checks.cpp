// The C host's own checks of plugin behaviour: emitter protocol (P10), allocator misuse (P4), validation
// helpers (P2 syntax: test_vectors.cpp), loading the same file twice, unloading with live instances (H6).
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

TEST(HostChecks, DecreasingOffsetsBreakTheEmitterProtocol) {
    Host host;
    host.load(nptest::test_plugin_path("libnp_test_registry.so"));
    Instance f(host, "org.nativeplugins.test.faulty", "mode=bad_offsets");
    nph_error_t code;
    nph_diag_t diag;
    f.process({"x"}, &code, &diag);
    EXPECT_EQ(code, NPH_E_PROTOCOL);
    EXPECT_NE(std::string(diag.message).find("broke the emitter protocol"), std::string::npos) << diag.message;
    EXPECT_NE(std::string(diag.message).find("(rule P10)"), std::string::npos);
}

// Guard bytes after the buffers the host hands out (nph_guard.c): an overrun is a protocol violation caught before
// the host reads, grows or frees the buffer, and the instance is poisoned (only destroy remains).
void expect_overrun_poisons(const char *mode, const char *what) {
    Host host;
    host.load(nptest::test_plugin_path("libnp_test_registry.so"));
    Instance f(host, "org.nativeplugins.test.faulty", std::string("mode=") + mode);
    nph_error_t code;
    nph_diag_t diag;
    f.process({"x"}, &code, &diag);
    EXPECT_EQ(code, NPH_E_PROTOCOL);
    EXPECT_NE(std::string(diag.message).find(what), std::string::npos) << diag.message;
    EXPECT_NE(std::string(diag.message).find("the instance is poisoned"), std::string::npos) << diag.message;
    EXPECT_EQ(std::string(diag.message).find("EEEE"), std::string::npos) << "the overrun text is never shown";
    f.process({"y"}, &code, &diag); // refused before plugin code runs
    EXPECT_EQ(code, NPH_E_PROTOCOL);
    EXPECT_NE(std::string(diag.message).find("process refused: the instance is poisoned"), std::string::npos)
        << diag.message;
    f.flush(&code, &diag);
    EXPECT_EQ(code, NPH_E_PROTOCOL);
} // destroy still runs, and the heap is intact (valgrind and glibc's checks would say otherwise)

TEST(HostChecks, AWritePastTheErrorBufferIsCaughtAndPoisonsTheInstance) {
    expect_overrun_poisons("error_overrun", "process wrote past the end of the error buffer");
}

TEST(HostChecks, AWritePastTheEmitterDataIsCaughtAndPoisonsTheInstance) {
    expect_overrun_poisons("data_overrun", "process wrote past the end of the output data");
}

TEST(HostChecks, AHealthyInstanceOfTheSamePluginIsUnaffectedByAPoisonedOne) {
    Host host;
    host.load(nptest::test_plugin_path("libnp_test_registry.so"));
    Instance bad(host, "org.nativeplugins.test.faulty", "mode=data_overrun");
    Instance good(host, "org.nativeplugins.test.faulty", "mode=none");
    nph_error_t code;
    bad.process({"x"}, &code);
    EXPECT_EQ(code, NPH_E_PROTOCOL);
    EXPECT_EQ(good.process({"a", "bc"}, &code), (Records{"a", "bc"}));
    EXPECT_EQ(code, NPH_OK);
}

TEST(HostChecks, TakingRecordsBackBreaksTheEmitterProtocol) {
    Host host;
    host.load(nptest::test_plugin_path("libnp_test_registry.so"));
    nph_transform_t t;
    nph_diag_t diag;
    ASSERT_EQ(nph_host_find_transform(host.get(), "org.nativeplugins.test.faulty", &t, &diag), NPH_OK);
    nph_instance_t *inst;
    ASSERT_EQ(nph_instance_create(host.get(), &t, "mode=take_back", &inst, &diag), NPH_OK);
    nph_emitter_t out;
    ASSERT_EQ(nph_emitter_init(&out, 0, 0), 0);
    ASSERT_EQ(nph_emitter_append(&out, "earlier", 7), NP_OK); // a record the plugin must not touch
    nptest::Batch batch({"x"});
    EXPECT_EQ(nph_instance_process(inst, batch.get(), &out, &diag), NPH_E_PROTOCOL);
    EXPECT_NE(std::string(diag.message).find("taken back"), std::string::npos) << diag.message;
    nph_instance_destroy(inst);
    nph_emitter_free(&out);
}

TEST(HostChecks, FreeWithTheWrongSizeIsReported) {
    Host host;
    host.load(nptest::test_plugin_path("libnp_test_registry.so"));
    Instance f(host, "org.nativeplugins.test.faulty", "mode=bad_free");
    uint64_t live_before = nph_instance_live_bytes(f.get());
    EXPECT_GT(live_before, 64u); // the instance itself and its 64-byte block
    f.process({"x"});
    EXPECT_EQ(nph_instance_alloc_violations(f.get()), 1u);
    EXPECT_EQ(host.count_logs("free(size=32, align=8) of a block allocated with size=64, align=8 (rule P4)"), 1u)
        << host.all_logs();
    // The bad free still released the whole 64-byte block (the header knows its size); a new one replaced it.
    EXPECT_EQ(nph_instance_live_bytes(f.get()), live_before);
}

TEST(HostChecks, LoadingTheSameFileTwiceReturnsTheSameLibrary) {
    Host host;
    nph_library_t *a = host.load(nptest::plugin_path("libnp_c_text.so"));
    nph_library_t *b = host.load(nptest::plugin_path("../plugins/libnp_c_text.so"));
    EXPECT_EQ(a, b);
    EXPECT_EQ(nph_host_library_count(host.get()), 1u);
}

TEST(HostChecks, UnloadingWithLiveInstancesIsRefused) {
    Host host;
    nph_library_t *lib = host.load(nptest::plugin_path("libnp_c_counter.so"));
    nph_diag_t diag;
    {
        Instance c(host, "org.nativeplugins.c.counter");
        EXPECT_EQ(nph_host_unload(host.get(), lib, &diag), NPH_E_STATE);
        EXPECT_NE(std::string(diag.message).find("(rule H6)"), std::string::npos);
    }
    EXPECT_EQ(nph_host_unload(host.get(), lib, &diag), NPH_OK);
    EXPECT_EQ(nph_host_library_count(host.get()), 0u);
}

TEST(HostChecks, MissingFilesAreReportedNotCrashedOn) {
    Host host;
    nph_diag_t diag;
    EXPECT_EQ(host.try_load("/nonexistent/libnope.so", &diag), NPH_E_OPEN);
    EXPECT_NE(std::string(diag.message).find("/nonexistent/libnope.so: cannot open: No such file or directory"),
              std::string::npos);
    EXPECT_EQ(host.try_load(NP_TEST_FIXTURE_DIR, &diag), NPH_E_OPEN); // a directory
}

} // namespace
