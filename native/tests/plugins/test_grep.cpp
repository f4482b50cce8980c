// org.nativeplugins.c.grep (libnp_c_text.so).
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

class Grep : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NE(host.load(nptest::plugin_path("libnp_c_text.so")), nullptr); }
    void TearDown() override { EXPECT_EQ(host.count_logs("rule P"), 0u) << host.all_logs(); }
    Host host;
    const Records words{"banana", "apple", "Banana split", "cherry", "BANANA", "", "ban"};
};

TEST_F(Grep, KeepsRecordsContainingThePattern) {
    Instance g(host, "org.nativeplugins.c.grep", "pattern=ana");
    ASSERT_TRUE(g.ok()) << g.create_diag().message;
    EXPECT_EQ(g.process(words), (Records{"banana", "Banana split"}));
}

TEST_F(Grep, InvertKeepsTheOthers) {
    Instance g(host, "org.nativeplugins.c.grep", "pattern=ana;invert=true");
    EXPECT_EQ(g.process(words), (Records{"apple", "cherry", "BANANA", "", "ban"}));
}

TEST_F(Grep, IgnoreCaseFoldsAsciiLetters) {
    Instance g(host, "org.nativeplugins.c.grep", "pattern=BaNaNa;ignore_case=true");
    EXPECT_EQ(g.process(words), (Records{"banana", "Banana split", "BANANA"}));
    Instance inv(host, "org.nativeplugins.c.grep", "pattern=banana;ignore_case=true;invert=true");
    EXPECT_EQ(inv.process(words), (Records{"apple", "cherry", "", "ban"}));
}

TEST_F(Grep, MatchesAtEdgesInBinaryAndInUtf8) {
    Instance g(host, "org.nativeplugins.c.grep", "pattern=xy");
    EXPECT_EQ(g.process({"xy", "xyz", "axy", "x", "y", std::string("\0xy\0", 4), "xxy", "yx"}),
              (Records{"xy", "xyz", "axy", std::string("\0xy\0", 4), "xxy"}));
    Instance u(host, "org.nativeplugins.c.grep", "pattern=\xc3\xa9t\xc3\xa9;ignore_case=true");
    EXPECT_EQ(u.process({"un \xc3\xa9t\xc3\xa9 chaud", "ete"}), Records{"un \xc3\xa9t\xc3\xa9 chaud"});
}

// The search runs across the whole batch (np_bytes_find_record) and copies runs of kept records as one block: a
// hit spanning two records belongs to neither, runs end at the batch's end, and long records cross the vector widths.
TEST_F(Grep, BatchLevelSearchKeepsExactlyTheRecordsThatMatch) {
    Instance g(host, "org.nativeplugins.c.grep", "pattern=ab");
    EXPECT_EQ(g.process({"xa", "bx", "a", "b"}), Records{});                                // "a|b" spans records
    EXPECT_EQ(g.process({"ab", "ab", "x", "ab", "ab"}), (Records{"ab", "ab", "ab", "ab"})); // runs to the end
    EXPECT_EQ(g.process({"x", "ab"}), Records{"ab"});
    EXPECT_EQ(g.process({"", "ab", "", ""}), Records{"ab"});
    Instance inv(host, "org.nativeplugins.c.grep", "pattern=ab;invert=true");
    EXPECT_EQ(inv.process({"ab", "x", "y", "ab", "z"}), (Records{"x", "y", "z"}));
    EXPECT_EQ(inv.process({"xa", "bx"}), (Records{"xa", "bx"}));
    for (size_t len = 0; len <= 65; len++) // records of every length around 16/32/64, next to records that miss
        for (size_t at = 0; at + 2 <= len; at += len / 3 + 1) {
            std::string hit(len, 'a'), miss(len, 'b');
            hit.replace(at, 2, "ab");
            EXPECT_EQ(g.process({miss, hit, miss, hit, hit}), (Records{hit, hit, hit})) << len << " " << at;
        }
    Instance fold(host, "org.nativeplugins.c.grep", "pattern=aB;ignore_case=true");
    std::string high(40, '\xe1');
    EXPECT_EQ(fold.process({high + "Ab", high, "AB" + high}), (Records{high + "Ab", "AB" + high}));
}

TEST_F(Grep, MissingOrEmptyPatternIsAConfigError) {
    Instance missing(host, "org.nativeplugins.c.grep", "invert=true");
    EXPECT_FALSE(missing.ok());
    EXPECT_EQ(missing.create_diag().status, NP_ERR_CONFIG);
    EXPECT_NE(std::string(missing.create_diag().message).find("missing required config key 'pattern'"),
              std::string::npos);
    Instance none(host, "org.nativeplugins.c.grep");
    EXPECT_EQ(none.create_diag().status, NP_ERR_CONFIG);
    Instance empty(host, "org.nativeplugins.c.grep", "pattern=");
    EXPECT_NE(std::string(empty.create_diag().message).find("config key 'pattern' must not be empty"),
              std::string::npos);
}

TEST_F(Grep, BadOptionsAreNamed) {
    Instance typo(host, "org.nativeplugins.c.grep", "patern=x");
    EXPECT_NE(std::string(typo.create_diag().message)
                  .find("unknown config key 'patern' (known keys: pattern, invert, ignore_case)"),
              std::string::npos);
    Instance flag(host, "org.nativeplugins.c.grep", "pattern=x;invert=maybe");
    EXPECT_NE(
        std::string(flag.create_diag().message).find("config key 'invert' must be true, false, 1 or 0, got 'maybe'"),
        std::string::npos);
}

TEST_F(Grep, StatelessAcrossBatchesAndFlushes) {
    Instance g(host, "org.nativeplugins.c.grep", "pattern=a");
    EXPECT_EQ(g.process({"a", "b"}), Records{"a"});
    EXPECT_EQ(g.flush(), Records{});
    EXPECT_EQ(g.flush(), Records{});
    EXPECT_EQ(g.process({"ba"}), Records{"ba"});
    np_transform_stats_t s;
    ASSERT_TRUE(g.stats(&s));
    EXPECT_EQ(s.records_in, 3u);
    EXPECT_EQ(s.records_out, 2u);
    EXPECT_EQ(s.bytes_in, 4u);
    EXPECT_EQ(s.bytes_out, 3u);
}

} // namespace
