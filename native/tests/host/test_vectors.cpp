// The C host against the shared vectors (interop/vectors), which the .NET host, the Rust SDK and the C# SDK run
// too: rule P2's id and version syntax, and rule P1's check of np_entry's answer.
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"
#include "vectors.h"

extern "C" {
int nph_plugin_id_valid(np_str_t id);
int nph_interface_id_valid(np_str_t id);
int nph_semver_valid(np_str_t v);
size_t nph_one_line(const uint8_t *in, size_t len, char *out, size_t cap);
nph_error_t nph_check_negotiation(const char *path, uint32_t offered_minor, np_status status, const np_negotiation_t *n,
                                  const np_library_t *descriptor, nph_diag_t *diag);
}

namespace {

void expect_verdicts(const std::string &file, int (*rule)(np_str_t)) {
    for (const auto &v : nptest::read_vectors(file)) {
        ASSERT_TRUE(v.kind == "valid" || v.kind == "invalid") << v.where();
        ASSERT_EQ(v.fields.size(), 1u) << v.where();
        EXPECT_EQ(rule(v.str(0)) != 0, v.kind == "valid") << v.where() << ": '" << v.fields[0] << "'";
    }
}

TEST(Vectors, S11_plugin_ids) { expect_verdicts("plugin-ids.tsv", nph_plugin_id_valid); }
TEST(Vectors, S11_interface_ids) { expect_verdicts("interface-ids.tsv", nph_interface_id_valid); }
TEST(Vectors, S11_versions) { expect_verdicts("versions.tsv", nph_semver_valid); }

uint32_t field_or_unset(const std::string &text) {
    return text == "-" ? 0xFFFFFFFFu : static_cast<uint32_t>(nptest::vector_number(text, {}));
}

TEST(Vectors, HostNegotiation) {
    static const np_library_t dummy{};
    for (const auto &v : nptest::read_vectors("host-negotiation.tsv")) {
        ASSERT_EQ(v.kind, "case") << v.where();
        ASSERT_EQ(v.fields.size(), 6u) << v.where();
        uint32_t host_minor = static_cast<uint32_t>(nptest::vector_number(v.fields[0], {}));
        np_negotiation_t n{};
        n.struct_size = sizeof n;
        n.abi_major = NP_ABI_MAJOR;
        n.abi_minor = static_cast<uint32_t>(nptest::vector_number(v.fields[2], {}));
        n.library_abi_major = field_or_unset(v.fields[3]);
        n.library_abi_minor = field_or_unset(v.fields[4]);
        nph_diag_t diag{};
        nph_error_t e =
            nph_check_negotiation("lib.so", host_minor, nptest::vector_status(v.fields[1]), &n, &dummy, &diag);
        const std::string &outcome = v.fields[5];
        if (outcome.rfind("accept:", 0) == 0) {
            EXPECT_EQ(e, NPH_OK) << v.where() << ": " << diag.message;
            EXPECT_EQ(std::to_string(n.abi_minor), outcome.substr(7)) << v.where();
        } else {
            nph_error_t expected = outcome == "refuse:version" ? NPH_E_VERSION : NPH_E_ENTRY;
            ASSERT_TRUE(outcome == "refuse:version" || outcome == "refuse:entry") << v.where();
            EXPECT_EQ(e, expected) << v.where() << ": " << nph_error_name(e) << ": " << diag.message;
            EXPECT_NE(diag.message[0], '\0') << v.where();
        }
    }
}

std::string one_line(const std::string &in, size_t cap = 4096) {
    std::string out(cap, '\0');
    size_t n = nph_one_line(reinterpret_cast<const uint8_t *>(in.data()), in.size(), out.data(), cap);
    out.resize(n);
    return out;
}

// Section 5, "Text in messages": what a diagnostic shows of plugin text, the same cases the .NET host runs.
TEST(Vectors, DisplayText) {
    for (const auto &v : nptest::read_vectors("display-text.tsv")) {
        ASSERT_EQ(v.kind, "case") << v.where();
        ASSERT_EQ(v.fields.size(), 2u) << v.where();
        EXPECT_EQ(one_line(v.fields[0]), v.fields[1]) << v.where();
        EXPECT_EQ(one_line(v.fields[1]), v.fields[1]) << v.where() << ": showing again must change nothing";
    }
}

TEST(Vectors, DisplayTextIsCutBetweenPiecesNeverInsideOne) {
    EXPECT_EQ(one_line("ab\n", 5), "ab");     // "\x0a" does not fit in the 2 bytes left: left out whole
    EXPECT_EQ(one_line("a\xc3\xa9", 3), "a"); // nor does half of a character
    EXPECT_EQ(one_line("abc", 1), "");
}

TEST(Vectors, ReaderRefusesAMissingFile) { EXPECT_THROW(nptest::read_vectors("no-such-file.tsv"), std::runtime_error); }

} // namespace
