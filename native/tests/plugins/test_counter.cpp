// org.nativeplugins.c.counter (libnp_c_counter.so).
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

class Counter : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NE(host.load(nptest::plugin_path("libnp_c_counter.so")), nullptr); }
    void TearDown() override { EXPECT_EQ(host.count_logs("rule P"), 0u) << host.all_logs(); }
    Host host;
};

TEST_F(Counter, EmitsNothingWhileCountingAndASummaryAtFlush) {
    Instance c(host, "org.nativeplugins.c.counter");
    ASSERT_TRUE(c.ok()) << c.create_diag().message;
    EXPECT_EQ(c.process({"ab", "cde"}), Records{});
    EXPECT_EQ(c.process({"", "f"}), Records{});
    EXPECT_EQ(c.flush(), Records{"records=4 bytes=6"});
}

TEST_F(Counter, ResetsAfterFlushAndASecondFlushEmitsNothing) {
    Instance c(host, "org.nativeplugins.c.counter", "per_value=true");
    c.process({"x", "y", "x"});
    EXPECT_EQ(c.flush(), (Records{"2\tx", "1\ty", "records=3 bytes=3 distinct=2"}));
    EXPECT_EQ(c.flush(), Records{}); // P8
    c.process({"z"});
    EXPECT_EQ(c.flush(), (Records{"1\tz", "records=1 bytes=1 distinct=1"})); // a fresh stream
}

TEST_F(Counter, FlushWithoutAStreamEmitsNothingButAnEmptyStreamIsSummarised) {
    Instance c(host, "org.nativeplugins.c.counter");
    EXPECT_EQ(c.flush(), Records{}); // right after create
    c.process({});
    EXPECT_EQ(c.flush(), Records{"records=0 bytes=0"});
}

TEST_F(Counter, PerValueCountsInFirstSeenOrderIncludingEmptyAndBinaryValues) {
    Instance c(host, "org.nativeplugins.c.counter", "per_value=true");
    Records in;
    for (int round = 0; round < 3; round++)
        for (int v = 0; v < 200; v++) in.push_back("value-" + std::to_string(v)); // forces rehashing
    in.push_back("");
    in.push_back(std::string("\0\x01", 2));
    c.process(in);
    Records out = c.flush();
    ASSERT_EQ(out.size(), 203u);
    EXPECT_EQ(out[0], "3\tvalue-0");
    EXPECT_EQ(out[199], "3\tvalue-199");
    EXPECT_EQ(out[200], "1\t");
    EXPECT_EQ(out[201], std::string("1\t\0\x01", 4));
    EXPECT_EQ(out[202].rfind("records=602 ", 0), 0u) << out[202];
    EXPECT_NE(out[202].find("distinct=202"), std::string::npos);
}

TEST_F(Counter, MaxDistinctBoundsMemoryAndReportsUntracked) {
    Instance c(host, "org.nativeplugins.c.counter", "per_value=true;max_distinct=2");
    c.process({"a", "b", "c", "a", "d", "b"});
    EXPECT_EQ(c.flush(), (Records{"2\ta", "2\tb", "records=6 bytes=6 distinct=2 untracked=2"}));
}

TEST_F(Counter, StatsIncludeTheSummary) {
    Instance c(host, "org.nativeplugins.c.counter");
    c.process({"abc"});
    c.flush();
    np_transform_stats_t s;
    ASSERT_TRUE(c.stats(&s));
    EXPECT_EQ(s.records_in, 1u);
    EXPECT_EQ(s.bytes_in, 3u);
    EXPECT_EQ(s.records_out, 1u);
    EXPECT_EQ(s.bytes_out, std::string("records=1 bytes=3").size());
}

TEST_F(Counter, ConfigErrors) {
    Instance zero(host, "org.nativeplugins.c.counter", "per_value=true;max_distinct=0");
    EXPECT_EQ(zero.create_diag().status, NP_ERR_CONFIG);
    EXPECT_NE(
        std::string(zero.create_diag().message).find("config key 'max_distinct' must be an integer in 1..100000000"),
        std::string::npos);
    Instance unknown(host, "org.nativeplugins.c.counter", "per_line=true");
    EXPECT_NE(std::string(unknown.create_diag().message).find("known keys: per_value, max_distinct"),
              std::string::npos);
}

TEST_F(Counter, ManyStreamsDoNotLeak) {
    for (int i = 0; i < 50; i++) {
        Instance c(host, "org.nativeplugins.c.counter", "per_value=true");
        c.process({"a", "b", std::to_string(i)});
        c.flush();
        c.process({"left over, never flushed"});
    } // destroy with an open stream: freed too; TearDown checks there was no P4 warning
}

} // namespace
