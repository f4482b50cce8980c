// The SDK's np_entry (rule P1): agreed minor = min(host, library), the fingerprint of the agreed minor, the
// layout report, refusal of another major, and the fixtures that claim other versions.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <string>

#include <nplug_sdk/np_sdk_common.h>

#include "test_support.h"

namespace {

// dlopen a library and call its np_entry directly, as a host would.
class Entry {
  public:
    explicit Entry(const std::string &path) : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        if (handle_) *reinterpret_cast<void **>(&entry_) = dlsym(handle_, NP_ENTRY_SYMBOL);
    }
    ~Entry() {
        if (handle_) dlclose(handle_);
    }
    bool ok() const { return entry_ != nullptr; }
    np_entry_fn raw() const { return entry_; }
    np_status call(uint32_t major, uint32_t minor, np_negotiation_t *n, const np_library_t **lib) {
        *n = np_negotiation_t{};
        n->struct_size = sizeof *n;
        n->abi_major = major;
        n->abi_minor = minor;
        n->library_abi_major = n->library_abi_minor = 0xEEEEEEEE;
        *lib = nullptr;
        return entry_(n, lib);
    }

  private:
    void *handle_;
    np_entry_fn entry_ = nullptr;
};

const uint64_t kFingerprint[] = {NP_LAYOUT_FINGERPRINT_1_0, NP_LAYOUT_FINGERPRINT_1_1, NP_LAYOUT_FINGERPRINT_1_2,
                                 NP_LAYOUT_FINGERPRINT_1_3};

TEST(Negotiation, AgreesOnTheOlderMinorAndReportsItsFingerprint) {
    Entry e(nptest::plugin_path("libnp_c_text.so"));
    ASSERT_TRUE(e.ok());
    for (uint32_t host_minor : {0u, 1u, 2u, 3u, 7u, 0xFFFFu}) {
        np_negotiation_t n;
        const np_library_t *lib;
        ASSERT_EQ(e.call(NP_ABI_MAJOR, host_minor, &n, &lib), NP_OK) << host_minor;
        uint32_t agreed = host_minor < NP_ABI_MINOR ? host_minor : NP_ABI_MINOR;
        EXPECT_EQ(n.abi_minor, agreed);
        EXPECT_EQ(n.library_abi_major, NP_ABI_MAJOR);
        EXPECT_EQ(n.library_abi_minor, NP_ABI_MINOR);
        EXPECT_EQ(n.layout_fingerprint, kFingerprint[agreed]) << "host minor " << host_minor;
        EXPECT_NE(lib, nullptr);
    }
}

TEST(Negotiation, ReportsTheLayoutOfThisCompiler) {
    Entry e(nptest::plugin_path("libnp_c_counter.so"));
    np_negotiation_t n;
    const np_library_t *lib;
    ASSERT_EQ(e.call(NP_ABI_MAJOR, NP_ABI_MINOR, &n, &lib), NP_OK);
    ASSERT_NE(n.layout_report, nullptr);
    const np_layout_report_t *r = n.layout_report;
    EXPECT_EQ(r->struct_size, sizeof(np_layout_report_t));
    bool found = false;
    for (uint64_t i = 0; i < r->struct_count; i++) {
        const np_layout_struct_t &s = r->structs[i];
        if (std::string(reinterpret_cast<const char *>(s.name.ptr), s.name.len) != "np_transform_v1_t") continue;
        found = true;
        EXPECT_EQ(s.size, sizeof(np_transform_v1_t));
        for (uint64_t k = 0; k < s.field_count; k++)
            if (std::string(reinterpret_cast<const char *>(s.fields[k].name.ptr), s.fields[k].name.len) == "stats") {
                EXPECT_EQ(s.fields[k].offset, offsetof(np_transform_v1_t, stats));
            }
    }
    EXPECT_TRUE(found);
}

TEST(Negotiation, RefusesAnotherMajorButSaysWhoItIs) {
    Entry e(nptest::plugin_path("libnp_c_text.so"));
    for (uint32_t major : {0u, 2u, 99u}) {
        np_negotiation_t n;
        const np_library_t *lib;
        EXPECT_EQ(e.call(major, 0, &n, &lib), NP_ERR_VERSION);
        EXPECT_EQ(n.library_abi_major, NP_ABI_MAJOR);
        EXPECT_EQ(n.library_abi_minor, NP_ABI_MINOR);
        EXPECT_EQ(lib, nullptr);
        EXPECT_EQ(n.abi_minor, 0u); // nothing else written
        EXPECT_EQ(n.layout_fingerprint, 0u);
    }
}

TEST(Negotiation, IsPureRepeatedCallsReturnTheSameDescriptors) {
    Entry e(nptest::plugin_path("libnp_c_text.so"));
    np_negotiation_t n;
    const np_library_t *first, *second;
    ASSERT_EQ(e.call(NP_ABI_MAJOR, NP_ABI_MINOR, &n, &first), NP_OK);
    ASSERT_EQ(e.call(NP_ABI_MAJOR, 0, &n, &second), NP_OK);
    EXPECT_EQ(first, second);
    EXPECT_EQ(first->plugins[0], second->plugins[0]);
}

TEST(Negotiation, RejectsNullsAndATooSmallStruct) {
    Entry e(nptest::plugin_path("libnp_c_text.so"));
    ASSERT_TRUE(e.ok());
    np_negotiation_t n{};
    const np_library_t *lib = nullptr;
    EXPECT_EQ(e.raw()(nullptr, &lib), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(e.raw()(&n, nullptr), NP_ERR_INVALID_ARGUMENT);
    n.struct_size = 20; // reaches library_abi_minor but not the rest
    n.abi_major = NP_ABI_MAJOR;
    EXPECT_EQ(e.raw()(&n, &lib), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(n.library_abi_major, NP_ABI_MAJOR); // still told who it is
    EXPECT_EQ(lib, nullptr);
}

// ABI 1.2: a refusal says why in the host's buffer, when the host's struct reaches np_negotiation_t.error.
TEST(Negotiation, ARefusalExplainsItselfInTheHostsBufferSince1_2) {
    Entry e(nptest::plugin_path("libnp_c_text.so"));
    ASSERT_TRUE(e.ok());
    char text[256];
    np_error_t error = {reinterpret_cast<uint8_t *>(text), sizeof text, 0, 0, 0};
    np_negotiation_t n{};
    const np_library_t *lib = nullptr;
    n.struct_size = sizeof n;
    n.abi_major = NP_ABI_MAJOR + 1;
    n.error = &error;
    EXPECT_EQ(e.raw()(&n, &lib), NP_ERR_VERSION);
    EXPECT_EQ(std::string(text, error.len), NP_C_SDK_ID ": this library speaks ABI 1." + std::to_string(NP_ABI_MINOR) +
                                                "; the host speaks major " + std::to_string(NP_ABI_MAJOR + 1));

    // A 1.1 host's struct ends before `error`: whatever lies there is not the library's to write.
    error.len = 0;
    n = np_negotiation_t{};
    n.struct_size = NP_SIZEOF_np_negotiation_t_1_1;
    n.abi_major = NP_ABI_MAJOR + 1;
    n.error = &error; // beyond struct_size: must not be used
    EXPECT_EQ(e.raw()(&n, &lib), NP_ERR_VERSION);
    EXPECT_EQ(error.len, 0u);

    // Success leaves the buffer untouched.
    n = np_negotiation_t{};
    n.struct_size = sizeof n;
    n.abi_major = NP_ABI_MAJOR;
    n.abi_minor = NP_ABI_MINOR;
    n.error = &error;
    EXPECT_EQ(e.raw()(&n, &lib), NP_OK);
    EXPECT_EQ(error.len, 0u);
    EXPECT_EQ(lib->struct_size, sizeof(np_library_t));
    EXPECT_EQ(lib->flags, 0u); // a C library may be unloaded
    EXPECT_EQ(lib->plugins[0]->struct_size, sizeof(np_plugin_descriptor_t));
}

TEST(Negotiation, FixturesClaimingOtherVersions) {
    {
        Entry older(nptest::fixture_path("libnp_fixture_older_minor.so"));
        np_negotiation_t n;
        const np_library_t *lib;
        ASSERT_EQ(older.call(NP_ABI_MAJOR, NP_ABI_MINOR, &n, &lib), NP_OK);
        EXPECT_EQ(n.abi_minor, 0u);
        EXPECT_EQ(n.library_abi_minor, 0u);
        EXPECT_EQ(n.layout_fingerprint, NP_LAYOUT_FINGERPRINT_1_0);
    }
    {
        Entry newer(nptest::fixture_path("libnp_fixture_newer_minor.so"));
        np_negotiation_t n;
        const np_library_t *lib;
        ASSERT_EQ(newer.call(NP_ABI_MAJOR, NP_ABI_MINOR, &n, &lib), NP_OK);
        EXPECT_EQ(n.abi_minor, NP_ABI_MINOR);
        EXPECT_EQ(n.library_abi_minor, NP_ABI_MINOR + 1);
        EXPECT_EQ(n.layout_fingerprint, NP_LAYOUT_FINGERPRINT); // of the agreed minor, not of the library's newer one
        EXPECT_GT(lib->struct_size, sizeof(np_library_t));
    }
    {
        Entry wrong(nptest::fixture_path("libnp_fixture_wrong_major.so"));
        np_negotiation_t n;
        const np_library_t *lib;
        EXPECT_EQ(wrong.call(NP_ABI_MAJOR, NP_ABI_MINOR, &n, &lib), NP_ERR_VERSION);
        EXPECT_EQ(n.library_abi_major, 2u);
        EXPECT_EQ(n.library_abi_minor, 0u);
    }
}

} // namespace
