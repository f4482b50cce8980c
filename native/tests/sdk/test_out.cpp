// Appending variable-size results to a caller-owned np_out_bytes_t (np_out.h): growth through reserve, a fixed
// buffer that is too small, a reserve that fails or lies, inconsistent buffers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <nplug_sdk/np_sdk.h>

namespace {

// A caller buffer with a scriptable reserve: grows by exactly what is asked, fails, lies, or is fixed (NULL).
struct TestOut {
    enum Mode { EXACT, FAIL, LIE, FIXED };
    explicit TestOut(Mode m, uint64_t capacity = 0) : mode(m) {
        out.struct_size = sizeof(np_out_bytes_t);
        out.capacity = capacity;
        out.data = capacity ? static_cast<uint8_t *>(std::malloc(capacity)) : nullptr;
        out.context = this;
        out.reserve = m == FIXED ? nullptr : &TestOut::reserve;
    }
    ~TestOut() { std::free(out.data); }
    TestOut(const TestOut &) = delete;
    TestOut &operator=(const TestOut &) = delete;
    static np_status NP_CDECL reserve(np_out_bytes_t *self, uint64_t additional) {
        auto *t = static_cast<TestOut *>(self->context);
        t->reserve_calls++;
        if (t->mode == FAIL) return NP_ERR_OUT_OF_MEMORY;
        if (t->mode == LIE) return NP_OK;
        self->capacity = self->len + additional;
        self->data = static_cast<uint8_t *>(std::realloc(self->data, self->capacity));
        return NP_OK;
    }
    std::string text() const { return std::string(reinterpret_cast<const char *>(out.data), out.len); }
    np_out_bytes_t out{};
    Mode mode;
    int reserve_calls = 0;
};

struct Error {
    Error() {
        e.message = buf;
        e.capacity = sizeof buf;
    }
    std::string text() const { return std::string(reinterpret_cast<const char *>(buf), e.len); }
    uint8_t buf[256]{};
    np_error_t e{};
};

TEST(NpOut, AppendsAndGrowsOnlyWhenNeeded) {
    TestOut t(TestOut::EXACT, 8);
    Error err;
    ASSERT_EQ(np_out_write_cstr(&t.out, "Hello", &err.e), NP_OK);
    EXPECT_EQ(t.reserve_calls, 0);
    ASSERT_EQ(np_out_write_cstr(&t.out, ", world!", &err.e), NP_OK);
    EXPECT_EQ(t.reserve_calls, 1);
    EXPECT_EQ(t.text(), "Hello, world!");
    EXPECT_EQ(err.e.len, 0u) << "success leaves the error buffer untouched";
}

TEST(NpOut, EmptyWritesNeedNoBuffer) {
    TestOut t(TestOut::FIXED, 0);
    Error err;
    EXPECT_EQ(np_out_write(&t.out, nullptr, 0, &err.e), NP_OK);
    EXPECT_EQ(t.out.len, 0u);
}

TEST(NpOut, FixedBufferTooSmallNamesTheSizeAndKeepsWhatFit) {
    TestOut t(TestOut::FIXED, 4);
    Error err;
    ASSERT_EQ(np_out_write_cstr(&t.out, "abc", &err.e), NP_OK);
    EXPECT_EQ(np_out_write_cstr(&t.out, "defgh", &err.e), NP_ERR_OUT_OF_MEMORY);
    EXPECT_NE(err.text().find("needs 8 bytes"), std::string::npos) << err.text();
    EXPECT_EQ(t.text(), "abc") << "what was appended before the failure stays appended";
}

TEST(NpOut, FailedReserveIsFinal) {
    TestOut t(TestOut::FAIL, 2);
    Error err;
    EXPECT_EQ(np_out_write_cstr(&t.out, "too long", &err.e), NP_ERR_OUT_OF_MEMORY);
    EXPECT_EQ(t.out.len, 0u);
    EXPECT_FALSE(err.text().empty());
}

TEST(NpOut, ReserveThatLiesIsCaughtBeforeWriting) {
    TestOut t(TestOut::LIE, 2);
    Error err;
    EXPECT_EQ(np_out_write_cstr(&t.out, "too long", &err.e), NP_ERR_OUT_OF_MEMORY);
    EXPECT_NE(err.text().find("without room"), std::string::npos) << err.text();
    EXPECT_EQ(t.out.len, 0u);
}

TEST(NpOut, RefusesNullAndInconsistentBuffers) {
    Error err;
    EXPECT_EQ(np_out_write_cstr(nullptr, "x", &err.e), NP_ERR_INVALID_ARGUMENT);
    TestOut small(TestOut::EXACT, 4);
    small.out.struct_size = 8;
    EXPECT_EQ(np_out_write_cstr(&small.out, "x", &err.e), NP_ERR_INVALID_ARGUMENT);
    TestOut bad(TestOut::EXACT, 4);
    bad.out.len = 5;
    EXPECT_EQ(np_out_write_cstr(&bad.out, "x", &err.e), NP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(err.text().find("inconsistent"), std::string::npos) << err.text();
}

} // namespace
