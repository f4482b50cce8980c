// UTF-8 validation, truncation and repair (np_utf8.h).
#include <gtest/gtest.h>

#include <string>

#include <nplug_sdk/np_utf8.h>

namespace {

const uint8_t *u8(const std::string &s) { return reinterpret_cast<const uint8_t *>(s.data()); }

bool valid(const std::string &s, uint64_t *bad = nullptr) { return np_utf8_validate(u8(s), s.size(), bad) != 0; }

TEST(Utf8, AcceptsWellFormedText) {
    EXPECT_TRUE(valid(""));
    EXPECT_TRUE(np_utf8_validate(nullptr, 0, nullptr));
    EXPECT_TRUE(valid("plain ascii, long enough to take the 8-byte fast path several times"));
    EXPECT_TRUE(valid("\xc3\xa9t\xc3\xa9"));            // été
    EXPECT_TRUE(valid("\xe2\x82\xac"));                 // €
    EXPECT_TRUE(valid("\xf0\x9f\x98\x80"));             // U+1F600
    EXPECT_TRUE(valid("\xf4\x8f\xbf\xbf"));             // U+10FFFF, the last code point
    EXPECT_TRUE(valid("\xed\x9f\xbf"));                 // U+D7FF, just below the surrogates
    EXPECT_TRUE(valid(std::string("nul\0inside", 10))); // NUL is a valid character
}

TEST(Utf8, RejectsIllFormedSequencesAndNamesTheOffset) {
    struct Case {
        std::string text;
        uint64_t offset;
    } cases[] = {
        {"abc\xff", 3},          // never valid
        {"ab\x80", 2},           // lone continuation byte
        {"\xc0\xaf", 0},         // overlong '/'
        {"x\xe0\x80\xaf", 1},    // overlong 3-byte
        {"\xf0\x80\x80\xaf", 0}, // overlong 4-byte
        {"\xed\xa0\x80", 0},     // surrogate U+D800
        {"\xf4\x90\x80\x80", 0}, // above U+10FFFF
        {"\xf5\x80\x80\x80", 0}, // lead byte beyond F4
        {"12345678\xc3", 8},     // truncated at the end, after the fast path
        {"\xe2\x82", 0},         // truncated 3-byte
        {"\xc3\x28", 0},         // bad continuation
    };
    for (const auto &c : cases) {
        uint64_t bad = 999;
        EXPECT_FALSE(valid(c.text, &bad)) << c.text;
        EXPECT_EQ(bad, c.offset) << c.text;
    }
}

TEST(Utf8, TruncateNeverSplitsACharacter) {
    const std::string s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; // a é € 😀 : boundaries 0,1,3,6,10
    const uint64_t boundary_for[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10};
    for (uint64_t max = 0; max <= s.size(); max++)
        EXPECT_EQ(np_utf8_truncate(u8(s), s.size(), max), boundary_for[max]) << "max " << max;
    EXPECT_EQ(np_utf8_truncate(u8(s), s.size(), 100), s.size());
}

TEST(Utf8, RepairReplacesBadBytesAndDropsACutCharacter) {
    std::string s = "ok\xff"
                    "fine\xc3\xa9"
                    "\x80!";
    uint64_t n = np_utf8_repair(reinterpret_cast<uint8_t *>(&s[0]), s.size());
    EXPECT_EQ(s.substr(0, n), "ok?fine\xc3\xa9?!");
    std::string cut = "abc\xe2\x82"; // "€" cut by a truncation
    n = np_utf8_repair(reinterpret_cast<uint8_t *>(&cut[0]), cut.size());
    EXPECT_EQ(cut.substr(0, n), "abc");
    EXPECT_TRUE(valid(cut.substr(0, n)));
}

} // namespace
