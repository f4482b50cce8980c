// Plugins register themselves from any translation unit (the np_plugins section), and library hooks follow the
// SDK's init/deinit ref-count.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

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
              "nplug-c/" NP_TEST_PRODUCT_VERSION); // interop/VERSION, as CMake read it
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

unsigned deinit_runs(const std::string &path) {
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (!handle) return ~0u;
    auto *runs = static_cast<unsigned *>(dlsym(handle, "np_test_registry_deinit_runs"));
    unsigned value = runs ? *runs : ~0u;
    dlclose(handle);
    return value;
}

np_host_t quiet_host_table() {
    np_host_t t = {};
    t.struct_size = sizeof t;
    t.log = [](const np_host_t *, int32_t, np_str_t) {};
    t.alloc = [](const np_host_t *, uint64_t, uint64_t) -> void * { return nullptr; };
    t.free = [](const np_host_t *, void *, uint64_t, uint64_t) {};
    t.get_extension = [](const np_host_t *, np_str_t) -> const void * { return nullptr; };
    return t;
}

TEST(Registration, S12_library_hooks_run_on_first_init_and_last_deinit_only) {
    const std::string path = nptest::test_plugin_path("libnp_test_registry.so");
    void *pin = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL); // keeps the counter mapped after the host unloads
    ASSERT_NE(pin, nullptr) << dlerror();
    Host host;
    nph_library_t *lib = host.load(path);
    ASSERT_NE(lib, nullptr);
    EXPECT_EQ(host.count_logs("registry hook: init"), 1u);
    const unsigned before = deinit_runs(path);
    const np_library_t *d = nph_library_descriptor(lib);

    // A second init (another host in the process) must not run the hook again, nor its deinit.
    np_host_t other = quiet_host_table();
    ASSERT_EQ(d->init(&other, nullptr), NP_OK);
    EXPECT_EQ(host.count_logs("registry hook: init"), 1u);
    d->deinit(); // back to one user: no deinit hook yet
    EXPECT_EQ(deinit_runs(path), before);
    ASSERT_EQ(nph_host_unload(host.get(), lib, nullptr), NPH_OK);
    EXPECT_EQ(deinit_runs(path), before + 1);
    dlclose(pin);
}

// The SDK uses an init table only during that init: the first init's table is destroyed (here: overwritten with
// 0xFF, so any call through it would crash) before the library is used and the last deinit runs.
TEST(Registration, S12_the_sdk_keeps_no_reference_to_an_init_table) {
    const std::string path = nptest::test_plugin_path("libnp_test_registry.so");
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    np_entry_fn entry;
    *reinterpret_cast<void **>(&entry) = dlsym(handle, NP_ENTRY_SYMBOL);
    ASSERT_NE(entry, nullptr);
    np_negotiation_t n = {};
    n.struct_size = sizeof n;
    n.abi_major = NP_ABI_MAJOR;
    n.abi_minor = NP_ABI_MINOR;
    const np_library_t *d = nullptr;
    ASSERT_EQ(entry(&n, &d), NP_OK);

    auto first = std::make_unique<np_host_t>(quiet_host_table());
    ASSERT_EQ(d->init(first.get(), nullptr), NP_OK); // the hook runs with this table
    std::memset(first.get(), 0xFF, sizeof *first);   // ... which is gone now

    {
        Host host; // a second user of the library: creates, processes, flushes, unloads
        ASSERT_NE(host.load(path), nullptr);
        nptest::Instance manual(host, "org.nativeplugins.test.manual");
        ASSERT_TRUE(manual.ok());
        EXPECT_EQ(manual.process({"a", "b"}), (nptest::Records{"b", "a"}));
        manual.flush();
    }
    const unsigned before = deinit_runs(path);
    d->deinit(); // the last deinit: the hook runs, touching no table
    EXPECT_EQ(deinit_runs(path), before + 1);
    dlclose(handle);
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
