// Writing failure messages into np_error_t (np_error.h): truncation at UTF-8 boundaries, never past capacity.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nplug_sdk/np_error.h>

namespace {

// An error buffer with guard bytes after its capacity.
struct Buffer {
    explicit Buffer(uint64_t capacity) : bytes(capacity + 16, 0xAB) {
        error.message = bytes.data();
        error.capacity = capacity;
        error.len = 12345;
        error.code = 77;
        error.reserved = 0;
    }
    std::string text() const { return std::string(reinterpret_cast<const char *>(bytes.data()), error.len); }
    bool guards_intact() const {
        for (size_t i = error.capacity; i < bytes.size(); i++)
            if (bytes[i] != 0xAB) return false;
        return true;
    }
    std::vector<uint8_t> bytes;
    np_error_t error{};
};

TEST(Error, WritesTheFormattedMessageAndReturnsTheStatus) {
    Buffer b(256);
    EXPECT_EQ(np_error_set(&b.error, NP_ERR_CONFIG, "unknown key '%s' at part %d", "colour", 2), NP_ERR_CONFIG);
    EXPECT_EQ(b.text(), "unknown key 'colour' at part 2");
    EXPECT_EQ(b.error.code, 0);
    EXPECT_EQ(np_error_set_code(&b.error, NP_ERR_INPUT, 42, "x"), NP_ERR_INPUT);
    EXPECT_EQ(b.error.code, 42);
    EXPECT_EQ(b.text(), "x");
}

TEST(Error, NullErrorOrZeroCapacityOnlyReturnsTheStatus) {
    EXPECT_EQ(np_error_set(nullptr, NP_ERR_STATE, "ignored %d", 1), NP_ERR_STATE);
    Buffer b(0);
    EXPECT_EQ(np_error_set(&b.error, NP_ERR_STATE, "nothing fits"), NP_ERR_STATE);
    EXPECT_EQ(b.error.len, 0u);
    EXPECT_TRUE(b.guards_intact());
}

TEST(Error, TruncatesAtEveryCapacityOnACharacterBoundaryWithoutOverrun) {
    const std::string message = "r\xc3\xa9sum\xc3\xa9 \xe2\x82\xac 5 \xf0\x9f\x98\x80 end"; // résumé € 5 😀 end
    for (uint64_t cap = 0; cap <= message.size() + 2; cap++) {
        Buffer b(cap);
        np_error_set(&b.error, NP_ERR_PLUGIN, "%s", message.c_str());
        ASSERT_TRUE(b.guards_intact()) << "capacity " << cap;
        ASSERT_LE(b.error.len, cap);
        std::string got = b.text();
        EXPECT_TRUE(np_utf8_validate(reinterpret_cast<const uint8_t *>(got.data()), got.size(), nullptr)) << cap;
        EXPECT_EQ(message.compare(0, got.size(), got), 0) << "not a prefix at capacity " << cap;
        // As long as possible: the exact cut is the last boundary at or before cap.
        EXPECT_EQ(b.error.len, np_utf8_truncate(reinterpret_cast<const uint8_t *>(message.data()), message.size(), cap))
            << "capacity " << cap;
    }
}

TEST(Error, LongMessagesBeyondTheScratchBufferStillFitAndStayValid) {
    std::string message(5000, 'x');
    message += "\xe2\x82\xac";
    Buffer exact(5003), big(4000), huge(9000);
    np_error_set(&exact.error, NP_ERR_PLUGIN, "%s", message.c_str());
    np_error_set(&big.error, NP_ERR_PLUGIN, "%s", message.c_str());
    np_error_set(&huge.error, NP_ERR_PLUGIN, "%s", message.c_str());
    EXPECT_EQ(huge.text(), message);
    EXPECT_TRUE(big.guards_intact());
    EXPECT_GE(big.error.len, 3999u); // one byte may stay unused above NP_ERROR_SCRATCH_SIZE
    EXPECT_TRUE(exact.guards_intact());
    EXPECT_EQ(exact.error.len, 5000u); // capacity-1 bytes end inside the €: cut before it, never inside
}

TEST(Error, InvalidUtf8InArgumentsIsRepaired) {
    Buffer b(64);
    np_error_set(&b.error, NP_ERR_CONFIG, "key '%s'", "bad\xff\xfe");
    EXPECT_EQ(b.text(), "key 'bad?"
                        "?'");
}

TEST(Error, MessageViewClampsToCapacity) {
    Buffer b(8);
    np_error_set(&b.error, NP_ERR_PLUGIN, "12345");
    np_str_t view = np_error_message(&b.error);
    EXPECT_EQ(view.len, 5u);
    b.error.len = 1000; // a broken callee
    EXPECT_EQ(np_error_message(&b.error).len, 8u);
    EXPECT_EQ(np_error_message(nullptr).len, 0u);
}

TEST(Error, StatusNames) {
    EXPECT_STREQ(np_status_name(NP_ERR_CONFIG), "NP_ERR_CONFIG");
    EXPECT_STREQ(np_status_name(NP_ERR_PANIC), "NP_ERR_PANIC");
    EXPECT_STREQ(np_status_name(-77), "unknown error status");
}

} // namespace
