// The SDK's np.transform/1 adapter (np_sdk_transform.c) as a host sees it: flush/reset (P8), stats (leaf, 1.1),
// messages for every failure (P5), poisoning (P7), the single-thread guard (H4), argument checks (P6), config
// handling, and leaving the error buffer alone on success.
#include <gtest/gtest.h>

#include <string>

#include <nplug_sdk/np_error.h>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

class Adapter : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NE(host.load(nptest::test_plugin_path("libnp_test_registry.so")), nullptr); }
    void TearDown() override { EXPECT_EQ(host.count_logs("rule P4"), 0u) << host.all_logs(); }
    Host host;
};

TEST_F(Adapter, S4_flush_emits_what_is_held_back_then_resets_and_a_second_flush_emits_nothing) {
    Instance h(host, "org.nativeplugins.test.holdback");
    ASSERT_TRUE(h.ok()) << h.create_diag().message;
    EXPECT_EQ(h.flush(), Records{}); // right after create: no stream yet
    EXPECT_EQ(h.process({"a", "b", "c"}), (Records{"a", "b"}));
    EXPECT_EQ(h.flush(), Records{"c"});
    EXPECT_EQ(h.flush(), Records{});        // second flush in a row
    EXPECT_EQ(h.process({"d"}), Records{}); // a new stream: "c" is not emitted again
    EXPECT_EQ(h.flush(), Records{"d"});
}

TEST_F(Adapter, S5_a_failed_flush_still_ends_the_stream) {
    Instance h(host, "org.nativeplugins.test.failflush");
    ASSERT_TRUE(h.ok()) << h.create_diag().message;
    EXPECT_EQ(h.process({"a", "b"}), Records{"a"});
    nph_error_t code = NPH_OK;
    nph_diag_t diag{};
    EXPECT_EQ(h.flush(&code, &diag), Records{"b"}); // emitted before the failure: stays emitted
    EXPECT_EQ(code, NPH_E_PLUGIN) << diag.message;
    EXPECT_EQ(h.flush(), Records{});        // the stream is over and the plugin was reset: "b" is never emitted twice
    EXPECT_EQ(h.process({"c"}), Records{}); // a new stream
}

TEST(ErrorHelpers, InputErrorsCarryTheRecordIndexPlusOne) {
    uint8_t buffer[64];
    np_error_t error = {buffer, sizeof buffer, 0, 0, 0};
    EXPECT_EQ(np_error_set_input(&error, 3, "record %d is bad", 3), NP_ERR_INPUT);
    EXPECT_EQ(error.code, 4);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(buffer), error.len), "record 3 is bad");
    np_error_set_input(&error, (uint64_t)INT32_MAX - 1, "x");
    EXPECT_EQ(error.code, INT32_MAX);
    np_error_set_input(&error, (uint64_t)INT32_MAX, "x");
    EXPECT_EQ(error.code, 0);
}

TEST_F(Adapter, S6_stats_count_records_and_bytes_in_and_out_including_flush) {
    Instance h(host, "org.nativeplugins.test.holdback");
    h.process({"one", "two", ""});
    h.flush();
    np_transform_stats_t s;
    ASSERT_TRUE(h.stats(&s));
    EXPECT_EQ(s.records_in, 3u);
    EXPECT_EQ(s.bytes_in, 6u);
    EXPECT_EQ(s.records_out, 3u);
    EXPECT_EQ(s.bytes_out, 6u);
}

TEST_F(Adapter, StatsFillOnlyWhatTheCallersStructHolds) {
    Instance h(host, "org.nativeplugins.test.holdback");
    h.process({"abc"});
    const nph_transform_t *t = nph_instance_transform(h.get());
    ASSERT_NE(t->stats, nullptr);
    np_transform_stats_t s;
    memset(&s, 0xCC, sizeof s);
    s.struct_size = offsetof(np_transform_stats_t, records_out) + 4; // records_in whole, records_out cut
    ASSERT_EQ(t->stats(nph_instance_raw(h.get()), &s), NP_OK);
    EXPECT_EQ(s.records_in, 1u);
    EXPECT_EQ(s.records_out, 0xCCCCCCCCCCCCCCCCull); // untouched
    EXPECT_EQ(t->stats(nph_instance_raw(h.get()), nullptr), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(t->stats(nullptr, &s), NP_ERR_INVALID_ARGUMENT);
}

TEST_F(Adapter, S2_a_panic_poisons_the_instance) {
    Instance f(host, "org.nativeplugins.test.faulty", "mode=panic");
    ASSERT_TRUE(f.ok());
    nph_error_t code;
    nph_diag_t diag;
    f.process({"x"}, &code, &diag);
    EXPECT_EQ(code, NPH_E_PLUGIN);
    EXPECT_EQ(diag.status, NP_ERR_PANIC);
    EXPECT_NE(std::string(diag.message).find("simulated panic: index out of bounds"), std::string::npos);
    f.process({"x"}, &code, &diag);
    EXPECT_EQ(diag.status, NP_ERR_STATE);
    EXPECT_NE(std::string(diag.message).find("poisoned by an earlier panic (rule P7)"), std::string::npos);
    f.flush(&code, &diag);
    EXPECT_EQ(diag.status, NP_ERR_STATE);
    np_transform_stats_t s;
    EXPECT_EQ(nph_instance_stats(f.get(), &s), -1);
} // destroy still works

TEST_F(Adapter, S7_a_failure_without_a_message_gets_one) {
    Instance f(host, "org.nativeplugins.test.faulty", "mode=silent");
    nph_error_t code;
    nph_diag_t diag;
    f.process({"x"}, &code, &diag);
    EXPECT_EQ(diag.status, NP_ERR_INPUT);
    EXPECT_NE(std::string(diag.message)
                  .find("org.nativeplugins.test.faulty: process failed with NP_ERR_INPUT (the plugin gave no message)"),
              std::string::npos)
        << diag.message;
    EXPECT_EQ(diag.rule, nullptr); // the SDK kept rule P5 for the plugin
}

TEST_F(Adapter, S7_a_positive_status_becomes_np_err_plugin) {
    Instance f(host, "org.nativeplugins.test.faulty", "mode=positive");
    nph_error_t code;
    nph_diag_t diag;
    f.process({"x"}, &code, &diag);
    EXPECT_EQ(diag.status, NP_ERR_PLUGIN);
    EXPECT_NE(std::string(diag.message).find("invalid positive status 7"), std::string::npos) << diag.message;
}

TEST_F(Adapter, S3_overlapping_calls_on_a_single_threaded_instance_are_refused) {
    Instance f(host, "org.nativeplugins.test.faulty", "mode=reenter");
    nph_error_t code;
    nph_diag_t diag;
    f.process({"x"}, &code, &diag);
    EXPECT_EQ(diag.status, NP_ERR_INPUT) << diag.message; // the inner call got NP_ERR_STATE
    EXPECT_NE(std::string(diag.message).find("inner call returned NP_ERR_STATE"), std::string::npos) << diag.message;
    EXPECT_NE(std::string(diag.message).find("(rule H4)"), std::string::npos) << diag.message;
}

TEST_F(Adapter, AFailedCreateReleasesEverything) {
    Instance f(host, "org.nativeplugins.test.faulty", "mode=fail_create");
    EXPECT_FALSE(f.ok());
    EXPECT_EQ(f.create_diag().status, NP_ERR_PLUGIN);
    EXPECT_NE(std::string(f.create_diag().message).find("create fails on purpose"), std::string::npos);
} // TearDown: no "rule P4" leak warning

TEST_F(Adapter, APluginWithoutOptionsRejectsAnyConfigKey) {
    Instance bad(host, "org.nativeplugins.test.holdback", "speed=11");
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.create_diag().status, NP_ERR_CONFIG);
    EXPECT_NE(std::string(bad.create_diag().message).find("unknown config key 'speed' (this plugin takes no config)"),
              std::string::npos);
    Instance blank(host, "org.nativeplugins.test.holdback", " ; ");
    EXPECT_TRUE(blank.ok()) << blank.create_diag().message;
    Instance utf8(host, "org.nativeplugins.test.holdback", "k=\xff");
    EXPECT_EQ(utf8.create_diag().status, NP_ERR_CONFIG);
    EXPECT_NE(std::string(utf8.create_diag().message).find("config is not valid UTF-8 (byte 2)"), std::string::npos);
}

// Direct vtable calls, as a careless host would make them.
TEST_F(Adapter, S8_malformed_arguments_are_rejected_with_messages) {
    Instance h(host, "org.nativeplugins.test.holdback");
    const nph_transform_t *t = nph_instance_transform(h.get());
    np_instance_t *raw = nph_instance_raw(h.get());
    nph_emitter_t out;
    ASSERT_EQ(nph_emitter_init(&out, 16, 4), 0);
    uint8_t buffer[256];
    np_error_t error = {buffer, sizeof buffer, 0, 0, 0};
    auto message = [&] { return std::string(reinterpret_cast<const char *>(buffer), error.len); };

    uint64_t offsets[] = {0, 3, 1};
    np_batch_t batch = {reinterpret_cast<const uint8_t *>("abc"), offsets, 2};
    EXPECT_EQ(t->process(raw, &batch, &out.em, &error), NP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message().find("malformed batch at offset index 2"), std::string::npos) << message();
    EXPECT_EQ(t->process(raw, nullptr, &out.em, &error), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(t->process(nullptr, &batch, &out.em, &error), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(t->flush(nullptr, &out.em, &error), NP_ERR_INVALID_ARGUMENT);
    offsets[2] = 3;
    out.em.offsets[0] = 9; // the host broke offsets[count] == data_used
    EXPECT_EQ(t->process(raw, &batch, &out.em, &error), NP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message().find("offsets[count] != data_used (rule H5)"), std::string::npos) << message();
    EXPECT_EQ(t->process(raw, &batch, nullptr, &error), NP_ERR_INVALID_ARGUMENT);
    out.em.offsets[0] = 0;
    t->destroy(nullptr); // a no-op
    nph_emitter_free(&out);
}

TEST_F(Adapter, S7_success_leaves_the_error_buffer_untouched) {
    Instance h(host, "org.nativeplugins.test.holdback");
    const nph_transform_t *t = nph_instance_transform(h.get());
    nph_emitter_t out;
    ASSERT_EQ(nph_emitter_init(&out, 0, 0), 0);
    uint8_t buffer[16] = "earlier";
    np_error_t error = {buffer, sizeof buffer, 7, 3, 0};
    uint64_t offsets[] = {0, 1};
    np_batch_t batch = {reinterpret_cast<const uint8_t *>("z"), offsets, 1};
    ASSERT_EQ(t->process(nph_instance_raw(h.get()), &batch, &out.em, &error), NP_OK);
    ASSERT_EQ(t->flush(nph_instance_raw(h.get()), &out.em, &error), NP_OK);
    EXPECT_EQ(error.len, 7u);
    EXPECT_EQ(error.code, 3);
    EXPECT_STREQ(reinterpret_cast<const char *>(buffer), "earlier");
    nph_emitter_free(&out);
}

TEST_F(Adapter, AHandWrittenDescriptorWithAnUnknownInterfaceWorks) {
    Instance m(host, "org.nativeplugins.test.manual");
    ASSERT_TRUE(m.ok()) << m.create_diag().message;
    EXPECT_EQ(m.process({"1", "2", "3"}), (Records{"3", "2", "1"}));
}

} // namespace
