// The C SDK against the shared vectors (interop/vectors), which the Rust and C# SDKs run too: np_entry as rule P1 and
// guarantee S10 say (negotiation.tsv).
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstddef>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "test_support.h"
#include "vectors.h"

namespace {

TEST(Vectors, S10_negotiation_as_every_sdk_answers_it) {
    void *handle = dlopen(nptest::plugin_path("libnp_c_text.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    np_entry_fn entry;
    *reinterpret_cast<void **>(&entry) = dlsym(handle, NP_ENTRY_SYMBOL);
    ASSERT_NE(entry, nullptr);

    const std::map<std::string, int64_t> symbols = {
        {"MIN", NP_MIN_SIZEOF_np_negotiation_t},
        {"CUR", static_cast<int64_t>(sizeof(np_negotiation_t))},
        {"LIB", NP_ABI_MINOR},
        {"VEREND", static_cast<int64_t>(offsetof(np_negotiation_t, library_abi_minor) + sizeof(uint32_t))},
    };
    const uint32_t sentinel = 0xEEEEEEEEu;
    for (const auto &v : nptest::read_vectors("negotiation.tsv")) {
        ASSERT_EQ(v.kind, "case") << v.where();
        ASSERT_EQ(v.fields.size(), 6u) << v.where();
        // A buffer larger than any struct_size of the file, as a newer host's struct would be.
        std::vector<unsigned char> buffer(sizeof(np_negotiation_t) + 256, 0);
        auto *n = reinterpret_cast<np_negotiation_t *>(buffer.data());
        n->struct_size = static_cast<uint32_t>(nptest::vector_number(v.fields[0], symbols));
        n->abi_major = static_cast<uint32_t>(nptest::vector_number(v.fields[1], symbols));
        uint32_t in_minor = static_cast<uint32_t>(nptest::vector_number(v.fields[2], symbols));
        n->abi_minor = in_minor;
        n->library_abi_major = n->library_abi_minor = sentinel;
        const np_library_t *sentinel_library = reinterpret_cast<const np_library_t *>(&buffer);
        const np_library_t *library = sentinel_library;

        np_status status = entry(n, &library);
        EXPECT_EQ(status, nptest::vector_status(v.fields[3])) << v.where();
        if (v.fields[4] == "-") {
            EXPECT_EQ(n->abi_minor, in_minor) << v.where() << ": abi_minor changed on a refusal";
            EXPECT_EQ(library, sentinel_library) << v.where() << ": out_library written on a refusal";
        } else {
            uint32_t agreed = static_cast<uint32_t>(nptest::vector_number(v.fields[4], symbols));
            EXPECT_EQ(n->abi_minor, agreed) << v.where();
            EXPECT_EQ(n->layout_fingerprint, NP_LAYOUT_FINGERPRINT_FOR_MINOR(agreed)) << v.where();
            EXPECT_NE(n->layout_report, nullptr) << v.where();
            EXPECT_NE(library, sentinel_library) << v.where();
            EXPECT_NE(library, nullptr) << v.where();
        }
        if (v.fields[5] == "yes") {
            EXPECT_EQ(n->library_abi_major, static_cast<uint32_t>(NP_ABI_MAJOR)) << v.where();
            EXPECT_EQ(n->library_abi_minor, static_cast<uint32_t>(NP_ABI_MINOR)) << v.where();
        } else {
            EXPECT_EQ(n->library_abi_major, sentinel) << v.where();
            EXPECT_EQ(n->library_abi_minor, sentinel) << v.where();
        }
    }
    dlclose(handle);
}

} // namespace
