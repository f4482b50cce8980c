// The C host over every fixture of native/fixtures/fixtures.json: each broken one is refused with its typed error
// and a message naming the file and the reason; the good control still loads and runs afterwards, in the same
// host; the version fixtures load and run as their agreed minor says.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

struct FixtureCase {
    const char *file, *expect, *error, *message, *rule, *after, *plugin;
    int agreed_minor, has_stats;
};

void PrintTo(const FixtureCase &c, std::ostream *os) { *os << c.file; }

const FixtureCase kFixtures[] = {
#include "fixtures_manifest.inc"
};

std::string PrintName(const ::testing::TestParamInfo<FixtureCase> &info) {
    std::string name = info.param.file;
    name = name.substr(std::string("libnp_fixture_").size());
    return name.substr(0, name.size() - 3);
}

class Fixture : public ::testing::TestWithParam<FixtureCase> {};

void expect_good_still_works(Host &host) {
    host.load(nptest::fixture_path("libnp_fixture_good.so"));
    Instance good(host, "org.nativeplugins.fixture.good");
    ASSERT_TRUE(good.ok()) << good.create_diag().message;
    EXPECT_EQ(good.process({"still", "fine"}), (Records{"still", "fine"}));
    EXPECT_EQ(good.flush(), Records{});
}

TEST_P(Fixture, BehavesAsTheManifestSays) {
    const FixtureCase &c = GetParam();
    Host host;
    if (c.after[0]) host.load(nptest::fixture_path(c.after));
    nph_diag_t diag;
    nph_library_t *lib = nullptr;
    nph_error_t e = host.try_load(nptest::fixture_path(c.file), &diag, &lib);
    if (std::string(c.expect) == "refuse") {
        EXPECT_STREQ(nph_error_name(e), c.error) << diag.message;
        EXPECT_EQ(lib, nullptr);
        std::string message = diag.message;
        EXPECT_NE(message.find(c.file), std::string::npos) << "message must name the file: " << message;
        EXPECT_NE(message.find(c.message), std::string::npos) << message;
        if (c.rule[0]) {
            EXPECT_NE(message.find(std::string("rule ") + c.rule), std::string::npos)
                << "message must cite rule " << c.rule << ": " << message;
        }
        EXPECT_EQ(nph_host_library_count(host.get()), c.after[0] ? 1u : 0u); // nothing of it stayed loaded
        expect_good_still_works(host);
    } else {
        ASSERT_EQ(e, NPH_OK) << diag.message;
        EXPECT_EQ(nph_library_agreed_minor(lib), static_cast<uint32_t>(c.agreed_minor));
        Instance inst(host, c.plugin);
        ASSERT_TRUE(inst.ok()) << inst.create_diag().message;
        EXPECT_EQ(inst.process({"a", "", "bc"}), (Records{"a", "", "bc"}));
        EXPECT_EQ(inst.flush(), Records{});
        np_transform_stats_t s;
        EXPECT_EQ(inst.stats(&s), c.has_stats == 1);
        if (c.has_stats == 1) {
            EXPECT_EQ(s.records_in, 3u);
        }
    }
    EXPECT_EQ(host.count_logs("rule P4"), 0u) << host.all_logs();
}

INSTANTIATE_TEST_SUITE_P(Manifest, Fixture, ::testing::ValuesIn(kFixtures), PrintName);

TEST(Fixtures, TheManifestCoversEveryBrokenKind) { EXPECT_GE(sizeof kFixtures / sizeof kFixtures[0], 17u); }

TEST(Fixtures, EveryRejectionInOneHostInARowLeavesTheHostUsable) {
    Host host;
    for (const FixtureCase &c : kFixtures) {
        if (std::string(c.expect) != "refuse" || c.after[0]) continue;
        nph_diag_t diag;
        EXPECT_NE(host.try_load(nptest::fixture_path(c.file), &diag), NPH_OK) << c.file;
    }
    expect_good_still_works(host);
}

TEST(Fixtures, DuplicatePairFirstComeFirstServed) {
    Host host;
    nph_library_t *a = host.load(nptest::fixture_path("libnp_fixture_duplicate_a.so"));
    nph_diag_t diag;
    EXPECT_EQ(host.try_load(nptest::fixture_path("libnp_fixture_duplicate_b.so"), &diag), NPH_E_DUPLICATE);
    EXPECT_NE(std::string(diag.message).find("libnp_fixture_duplicate_a.so"), std::string::npos) << diag.message;
    Instance dup(host, "org.nativeplugins.fixture.dup"); // still served by A
    ASSERT_TRUE(dup.ok());
    EXPECT_EQ(nph_instance_transform(dup.get())->library, a);
    // B loads fine in a host of its own.
    Host other;
    EXPECT_NE(other.load(nptest::fixture_path("libnp_fixture_duplicate_b.so")), nullptr);
}

TEST(Fixtures, OlderMinorLibraryGetsAnOlderHostTableAndNoStats) {
    Host host;
    nph_library_t *lib = host.load(nptest::fixture_path("libnp_fixture_older_minor.so"));
    ASSERT_NE(lib, nullptr); // its init checks that host->abi_minor == 0
    nph_transform_t t;
    nph_diag_t diag;
    ASSERT_EQ(nph_host_find_transform(host.get(), "org.nativeplugins.fixture.older-minor", &t, &diag), NPH_OK);
    EXPECT_EQ(t.stats, nullptr); // the trap behind struct_size is never read
    EXPECT_NE(t.vtable->stats, nullptr);
}

TEST(Fixtures, AnOlderHostTreatsStatsAsAbsentEvenWhenTheLibraryHasThem) {
    Host host(0);
    nph_library_t *lib = host.load(nptest::plugin_path("libnp_c_text.so"));
    ASSERT_NE(lib, nullptr);
    EXPECT_EQ(nph_library_agreed_minor(lib), 0u);
    EXPECT_EQ(nph_library_fingerprint(lib), NP_LAYOUT_FINGERPRINT_1_0);
    Instance u(host, "org.nativeplugins.c.upper");
    np_transform_stats_t s;
    EXPECT_FALSE(u.stats(&s));
    EXPECT_EQ(u.process({"x"}), Records{"X"});
}

} // namespace
