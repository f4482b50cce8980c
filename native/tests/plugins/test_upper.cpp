// org.nativeplugins.c.upper (libnp_c_text.so).
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

class Upper : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NE(host.load(nptest::plugin_path("libnp_c_text.so")), nullptr); }
    void TearDown() override { EXPECT_EQ(host.count_logs("rule P"), 0u) << host.all_logs(); }
    Host host;
};

TEST_F(Upper, UpperCasesAsciiAndKeepsEverythingElse) {
    Instance u(host, "org.nativeplugins.c.upper");
    ASSERT_TRUE(u.ok()) << u.create_diag().message;
    EXPECT_EQ(u.process({"hello, World 42!", "", "already UPPER", "tab\there"}),
              (Records{"HELLO, WORLD 42!", "", "ALREADY UPPER", "TAB\tHERE"}));
    EXPECT_EQ(u.process({}), Records{}); // an empty batch
}

TEST_F(Upper, SimpleModeMapsTwoByteLettersAtTheSameLength) {
    Instance u(host, "org.nativeplugins.c.upper");
    EXPECT_EQ(u.process({"\xc3\xa9t\xc3\xa9 \xc3\xbf \xc3\xb7", // été ÿ ÷
                         "\xc5\x82\xc3\xb3"
                         "d\xc5\xba",                                                 // łódź
                         "\xce\xb1\xce\xb2\xce\xb3 \xcf\x82 \xce\xac",                // αβγ ς ά
                         "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd1\x91", // привет ё
                         "stra\xc3\x9f"
                         "e \xe2\x82\xac \xf0\x9f\x98\x80"}), // ß stays, € and 😀 untouched
              (Records{"\xc3\x89T\xc3\x89 \xc5\xb8 \xc3\xb7",
                       "\xc5\x81\xc3\x93"
                       "D\xc5\xb9",
                       "\xce\x91\xce\x92\xce\x93 \xce\xa3 \xce\x86",
                       "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2 \xd0\x81",
                       "STRA\xc3\x9f"
                       "E \xe2\x82\xac \xf0\x9f\x98\x80"}));
}

// ASCII runs go through the vector kernel (np_ascii_upper_prefix, 16 bytes per step): a two-byte letter or a bad
// byte at every position of records of every length around the vector width is still found and handled.
TEST_F(Upper, VectorRunsHandOverToTheUtf8PathAtEveryPosition) {
    Instance u(host, "org.nativeplugins.c.upper");
    for (size_t len = 0; len <= 65; len++) {
        std::string ascii(len, 'q'), want(len, 'Q');
        EXPECT_EQ(u.process({ascii}), Records{want}) << len;
        for (size_t at = 0; at < len; at++) {
            std::string in = ascii, out = want;
            in.replace(at, 1, "\xc3\xa9"); // é -> É, same length
            out.replace(at, 1, "\xc3\x89");
            ASSERT_EQ(u.process({in}), Records{out}) << len << " " << at;
            std::string bad = ascii;
            bad[at] = '\xff';
            nph_error_t code;
            nph_diag_t diag;
            u.process({bad}, &code, &diag);
            ASSERT_NE(std::string(diag.message).find("(byte " + std::to_string(at) + ")"), std::string::npos)
                << diag.message;
        }
    }
}

TEST_F(Upper, AsciiModeLeavesNonAsciiAlone) {
    Instance u(host, "org.nativeplugins.c.upper", "mode=ascii");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u.process({"\xc3\xa9t\xc3\xa9 ok"}), Records{"\xc3\xa9T\xc3\xa9 OK"});
}

TEST_F(Upper, InvalidUtf8IsAnInputErrorNamingRecordAndByteAndKeepsEarlierOutput) {
    Instance u(host, "org.nativeplugins.c.upper");
    nph_error_t code;
    nph_diag_t diag;
    Records out = u.process({"fine",
                             "ab\xff"
                             "cd",
                             "never"},
                            &code, &diag);
    EXPECT_EQ(code, NPH_E_PLUGIN);
    EXPECT_EQ(diag.status, NP_ERR_INPUT);
    EXPECT_NE(std::string(diag.message).find("record 1 is not valid UTF-8 (byte 2)"), std::string::npos)
        << diag.message;
    EXPECT_EQ(out, Records{"FINE"}); // what was emitted before the failure stays emitted
    EXPECT_EQ(u.process({"still usable"}), Records{"STILL USABLE"}); // the instance stays usable
}

TEST_F(Upper, ValidateFalsePassesBadBytesThrough) {
    Instance u(host, "org.nativeplugins.c.upper", "validate=false");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u.process({"ab\xff"
                         "cd\xc3"}),
              Records{"AB\xff"
                      "CD\xc3"});
}

TEST_F(Upper, LargeRecordsGrowTheHostBuffer) {
    Instance u(host, "org.nativeplugins.c.upper");
    std::string big(3 * 1024 * 1024, 'q');
    Records out = u.process({big, "x"});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], std::string(big.size(), 'Q'));
    EXPECT_EQ(out[1], "X");
}

TEST_F(Upper, ConfigErrorsAreNamed) {
    Instance bad_mode(host, "org.nativeplugins.c.upper", "mode=shout");
    EXPECT_EQ(bad_mode.create_diag().status, NP_ERR_CONFIG);
    EXPECT_NE(
        std::string(bad_mode.create_diag().message).find("config key 'mode' must be one of simple|ascii, got 'shout'"),
        std::string::npos);
    Instance unknown(host, "org.nativeplugins.c.upper", "locale=tr");
    EXPECT_NE(
        std::string(unknown.create_diag().message).find("unknown config key 'locale' (known keys: mode, validate)"),
        std::string::npos)
        << unknown.create_diag().message;
}

} // namespace
