// Plugins register themselves from any translation unit (the np_plugins section), and library hooks follow the
// SDK's init/deinit ref-count.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "test_support.h"

namespace {

using nptest::Host;

std::string id_of(const nph_library_t *lib, uint32_t i) {
    const np_plugin_descriptor_t *p = nph_library_plugin(lib, i);
    return std::string(reinterpret_cast<const char *>(p->id.ptr), p->id.len);
}

// Across translation units the order is the link order; within one it is the compiler's (GCC emits a unit's
// variables in reverse), so only the set is checked there.
TEST(Registration, EveryPluginOfEveryTranslationUnitIsListedInLinkOrder) {
    Host host;
    nph_library_t *lib = host.load(nptest::test_plugin_path("libnp_test_registry.so"));
    ASSERT_NE(lib, nullptr);
    ASSERT_EQ(nph_library_plugin_count(lib), 4u);
    std::set<std::string> first_unit = {id_of(lib, 0), id_of(lib, 1), id_of(lib, 2)}; // registry_a.c
    EXPECT_EQ(first_unit, (std::set<std::string>{"org.nativeplugins.test.holdback", "org.nativeplugins.test.failflush",
                                                 "org.nativeplugins.test.faulty"}));
    EXPECT_EQ(id_of(lib, 3), "org.nativeplugins.test.manual"); // registry_b.c (linked second): hand-written
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(nph_library_descriptor(lib)->sdk.ptr),
                          nph_library_descriptor(lib)->sdk.len),
              "nplug-c/0.1.0");
}

TEST(Registration, ABundleAndASinglePluginLibrary) {
    Host host;
    nph_library_t *text = host.load(nptest::plugin_path("libnp_c_text.so"));
    nph_library_t *counter = host.load(nptest::plugin_path("libnp_c_counter.so"));
    ASSERT_NE(text, nullptr);
    ASSERT_NE(counter, nullptr);
    ASSERT_EQ(nph_library_plugin_count(text), 2u);
    EXPECT_EQ(id_of(text, 0), "org.nativeplugins.c.upper");
    EXPECT_EQ(id_of(text, 1), "org.nativeplugins.c.grep");
    ASSERT_EQ(nph_library_plugin_count(counter), 1u);
    EXPECT_EQ(id_of(counter, 0), "org.nativeplugins.c.counter");
}

TEST(Registration, LibraryHooksRunOnFirstInitAndLastDeinitOnly) {
    Host host;
    nph_library_t *lib = host.load(nptest::test_plugin_path("libnp_test_registry.so"));
    ASSERT_NE(lib, nullptr);
    EXPECT_EQ(host.count_logs("registry hook: init"), 1u);
    const np_library_t *d = nph_library_descriptor(lib);

    // A second host-side init (another host in the process) must not run the hook again.
    np_host_t other = {};
    other.struct_size = sizeof other;
    other.log = [](const np_host_t *, int32_t, np_str_t) {};
    other.alloc = [](const np_host_t *, uint64_t, uint64_t) -> void * { return nullptr; };
    other.free = [](const np_host_t *, void *, uint64_t, uint64_t) {};
    other.get_extension = [](const np_host_t *, np_str_t) -> const void * { return nullptr; };
    ASSERT_EQ(d->init(&other, nullptr), NP_OK);
    EXPECT_EQ(host.count_logs("registry hook: init"), 1u);
    d->deinit(); // back to one user: no deinit hook yet
    EXPECT_EQ(host.count_logs("registry hook: deinit"), 0u);
    ASSERT_EQ(nph_host_unload(host.get(), lib, nullptr), NPH_OK);
    EXPECT_EQ(host.count_logs("registry hook: deinit"), 1u);
}

TEST(Registration, InitRejectsABrokenHostTable) {
    Host host;
    nph_library_t *lib = host.load(nptest::plugin_path("libnp_c_counter.so"));
    ASSERT_NE(lib, nullptr);
    uint8_t buffer[256];
    np_error_t error = {buffer, sizeof buffer, 0, 0, 0};
    np_host_t broken = {};
    broken.struct_size = 8;
    EXPECT_EQ(nph_library_descriptor(lib)->init(&broken, &error), NP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(reinterpret_cast<const char *>(buffer), error.len).find("struct_size"), std::string::npos);
    EXPECT_EQ(nph_library_descriptor(lib)->init(nullptr, nullptr), NP_ERR_INVALID_ARGUMENT);
}

} // namespace
