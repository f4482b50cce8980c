// Emitting records into a host emitter (np_emit.h) and reading batches (np_batch.h): growth, invariants,
// failure propagation, reserve + commit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <nplug_sdk/np_batch.h>
#include <nplug_sdk/np_emit.h>
#include <nplug_sdk/np_sdk.h> // the whole header set must compile as C++ too

namespace {

// A host emitter with a scriptable reserve: grows by exactly what is asked (worst case for the plugin side),
// can fail, or can lie (return NP_OK without room).
struct TestEmitter {
    enum Mode { EXACT, FAIL, LIE };
    TestEmitter() {
        em.struct_size = sizeof(np_emitter_t);
        em.offsets = static_cast<uint64_t *>(std::calloc(1, sizeof(uint64_t)));
        em.offsets_capacity = 1;
        em.reserve = &TestEmitter::reserve;
        em.host_data = this;
    }
    ~TestEmitter() {
        std::free(em.data);
        std::free(em.offsets);
    }
    static np_status NP_CDECL reserve(np_emitter_t *self, uint64_t extra_bytes, uint64_t extra_records) {
        auto *t = static_cast<TestEmitter *>(self->host_data);
        t->reserve_calls++;
        if (t->mode == FAIL) return NP_ERR_OUT_OF_MEMORY;
        if (t->mode == LIE) return NP_OK;
        if (self->data_capacity - self->data_used < extra_bytes) {
            self->data_capacity = self->data_used + extra_bytes;
            self->data =
                static_cast<uint8_t *>(std::realloc(self->data, self->data_capacity ? self->data_capacity : 1));
        }
        if (self->offsets_capacity - self->count < extra_records + 1) {
            self->offsets_capacity = self->count + extra_records + 1;
            self->offsets =
                static_cast<uint64_t *>(std::realloc(self->offsets, self->offsets_capacity * sizeof(uint64_t)));
        }
        return NP_OK;
    }
    std::string record(uint64_t i) const {
        return std::string(reinterpret_cast<const char *>(em.data) + em.offsets[i], em.offsets[i + 1] - em.offsets[i]);
    }
    void expect_invariants() const {
        EXPECT_EQ(em.offsets[0], 0u);
        EXPECT_GE(em.offsets_capacity, em.count + 1);
        EXPECT_EQ(em.offsets[em.count], em.data_used);
        EXPECT_LE(em.data_used, em.data_capacity);
        for (uint64_t i = 0; i < em.count; i++) EXPECT_LE(em.offsets[i], em.offsets[i + 1]);
    }
    np_emitter_t em{};
    Mode mode = EXACT;
    int reserve_calls = 0;
};

TEST(Emit, GrowsThroughReserveAndKeepsEveryInvariant) {
    TestEmitter t;
    std::vector<std::string> expected;
    for (int i = 0; i < 500; i++) {
        std::string r(static_cast<size_t>(i % 37), static_cast<char>('a' + i % 26));
        ASSERT_EQ(np_emit(&t.em, r.data(), r.size()), NP_OK);
        expected.push_back(r);
        t.expect_invariants();
    }
    ASSERT_EQ(t.em.count, expected.size());
    for (size_t i = 0; i < expected.size(); i++) EXPECT_EQ(t.record(i), expected[i]);
    EXPECT_GT(t.reserve_calls, 0);
}

TEST(Emit, FastPathDoesNotCallTheHostWhenThereIsRoom) {
    TestEmitter t;
    ASSERT_EQ(TestEmitter::reserve(&t.em, 1000, 100), NP_OK);
    int before = t.reserve_calls;
    for (int i = 0; i < 100; i++) ASSERT_EQ(np_emit(&t.em, "0123456789", 10), NP_OK);
    EXPECT_EQ(t.reserve_calls, before);
    EXPECT_EQ(np_emit(&t.em, "x", 1), NP_OK); // the 101st record needs an offset slot
    EXPECT_EQ(t.reserve_calls, before + 1);
}

TEST(Emit, EmptyRecordsAreRecords) {
    TestEmitter t;
    ASSERT_EQ(np_emit(&t.em, nullptr, 0), NP_OK);
    ASSERT_EQ(np_emit(&t.em, "", 0), NP_OK);
    EXPECT_EQ(t.em.count, 2u);
    EXPECT_EQ(t.em.data_used, 0u);
    t.expect_invariants();
}

TEST(Emit, FailedReserveIsReturnedAndNothingIsWritten) {
    TestEmitter t;
    ASSERT_EQ(np_emit(&t.em, "keep", 4), NP_OK);
    t.mode = TestEmitter::FAIL;
    EXPECT_EQ(np_emit(&t.em, "this does not fit anywhere", 26), NP_ERR_OUT_OF_MEMORY);
    EXPECT_EQ(t.em.count, 1u);
    EXPECT_EQ(t.record(0), "keep");
    t.expect_invariants();
}

TEST(Emit, AHostThatGrantsNoRoomIsCaughtInsteadOfOverrun) {
    TestEmitter t;
    t.mode = TestEmitter::LIE;
    EXPECT_EQ(np_emit(&t.em, "abc", 3), NP_ERR_OUT_OF_MEMORY);
    uint8_t *dst = reinterpret_cast<uint8_t *>(&t);
    EXPECT_EQ(np_emit_reserve(&t.em, 3, &dst), NP_ERR_OUT_OF_MEMORY);
    EXPECT_EQ(dst, nullptr);
    EXPECT_EQ(t.em.count, 0u);
}

TEST(Emit, ReserveThenCommitWritesInPlace) {
    TestEmitter t;
    ASSERT_EQ(np_emit(&t.em, "first", 5), NP_OK);
    uint8_t *dst = nullptr;
    ASSERT_EQ(np_emit_reserve(&t.em, 10, &dst), NP_OK);
    ASSERT_NE(dst, nullptr);
    EXPECT_EQ(t.em.count, 1u); // nothing emitted until commit
    memcpy(dst, "in-place", 8);
    np_emit_commit(&t.em, 8); // fewer bytes than reserved
    EXPECT_EQ(t.em.count, 2u);
    EXPECT_EQ(t.record(1), "in-place");
    t.expect_invariants();
    ASSERT_EQ(np_emit(&t.em, "after", 5), NP_OK);
    EXPECT_EQ(t.record(2), "after");
}

TEST(Emit, CheckNamesBrokenHostInvariants) {
    TestEmitter t;
    const char *problem = nullptr;
    EXPECT_EQ(np_emit_check(&t.em, &problem), NP_OK);
    EXPECT_EQ(problem, nullptr);
    EXPECT_EQ(np_emit_check(nullptr, &problem), NP_ERR_INVALID_ARGUMENT);
    t.em.offsets[0] = 5; // offsets[count] != data_used
    EXPECT_EQ(np_emit_check(&t.em, &problem), NP_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(problem, "emitter offsets[count] != data_used");
    t.em.offsets[0] = 0;
    t.em.reserve = nullptr;
    EXPECT_EQ(np_emit_check(&t.em, &problem), NP_ERR_INVALID_ARGUMENT);
    t.em.reserve = &TestEmitter::reserve;
    t.em.struct_size = 8;
    EXPECT_EQ(np_emit_check(&t.em, &problem), NP_ERR_INVALID_ARGUMENT);
}

TEST(Batch, RecordsAndChecks) {
    const char data[] = "abcdef";
    uint64_t offsets[] = {0, 2, 2, 6};
    np_batch_t batch = {reinterpret_cast<const uint8_t *>(data), offsets, 3};
    EXPECT_EQ(np_batch_check(&batch, nullptr), NP_OK);
    EXPECT_EQ(np_batch_record(&batch, 0).len, 2u);
    EXPECT_EQ(np_batch_record(&batch, 1).len, 0u);
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(np_batch_record(&batch, 2).ptr), 4), "cdef");
    EXPECT_EQ(np_batch_bytes(&batch), 6u);

    uint64_t bad = 99;
    uint64_t decreasing[] = {0, 4, 3, 6};
    batch.offsets = decreasing;
    EXPECT_EQ(np_batch_check(&batch, &bad), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(bad, 2u);
    uint64_t not_zero[] = {1, 2, 3, 4};
    batch.offsets = not_zero;
    EXPECT_EQ(np_batch_check(&batch, &bad), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(bad, 0u);
    batch.offsets = nullptr;
    EXPECT_EQ(np_batch_check(&batch, &bad), NP_ERR_INVALID_ARGUMENT);
    np_batch_t empty = {nullptr, nullptr, 0};
    EXPECT_EQ(np_batch_check(&empty, nullptr), NP_OK);
    EXPECT_EQ(np_batch_bytes(&empty), 0u);
    uint64_t no_data_offsets[] = {0, 3};
    np_batch_t no_data = {nullptr, no_data_offsets, 1};
    EXPECT_EQ(np_batch_check(&no_data, &bad), NP_ERR_INVALID_ARGUMENT);
}

} // namespace
