// The SDK's np.state/1 adapter (np_sdk_state_save/np_sdk_state_restore, ABI 1.3) as a host sees it, on the stateful
// fixture (native/fixtures/src/stateful_reload.c, declared with NP_STATEFUL_TRANSFORM_PLUGIN): the interface is
// listed after np.transform/1, save grows the caller's np_out_bytes_t and leaves the instance unchanged, restore
// continues the stream in a fresh instance, a blob the plugin does not understand is NP_ERR_INPUT and leaves the
// instance just-created, a restore with a stream open is NP_ERR_STATE, and arguments are checked first (P6).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

const char *const kPlugin = "org.nativeplugins.fixture.stateful";

// A caller-owned np_out_bytes_t over a std::vector that grows in reserve (or cannot grow).
struct Out {
    explicit Out(size_t capacity, bool growable = true) : buf(capacity) {
        out.struct_size = sizeof out;
        out.data = buf.empty() ? nullptr : buf.data();
        out.capacity = capacity;
        out.context = this;
        out.reserve = growable ? &Out::reserve : nullptr;
    }
    static np_status NP_CDECL reserve(np_out_bytes_t *o, uint64_t additional) {
        Out *self = static_cast<Out *>(o->context);
        self->reserves++;
        self->buf.resize(o->len + additional);
        o->data = self->buf.data();
        o->capacity = self->buf.size();
        return NP_OK;
    }
    std::vector<uint8_t> bytes() const { return {buf.begin(), buf.begin() + (ptrdiff_t)out.len}; }
    std::vector<uint8_t> buf;
    np_out_bytes_t out{};
    int reserves = 0;
};

class State : public ::testing::Test {
  protected:
    void SetUp() override {
        nph_library_t *lib = host.load(nptest::fixture_path("reload/libnp_fixture_stateful_v1.so"));
        ASSERT_NE(lib, nullptr);
        const np_plugin_descriptor_t *p = nph_library_plugin(lib, 0);
        ASSERT_EQ(p->interface_count, 2u);
        ASSERT_EQ(std::string((const char *)p->interfaces[0].id.ptr, p->interfaces[0].id.len), NP_TRANSFORM_ID);
        ASSERT_EQ(std::string((const char *)p->interfaces[1].id.ptr, p->interfaces[1].id.len), NP_STATE_ID);
        vt = static_cast<const np_state_v1_t *>(p->interfaces[1].vtable);
        ASSERT_EQ(vt->struct_size, sizeof(np_state_v1_t));
    }
    np_status save(Instance &i, Out &out, std::string *message = nullptr) {
        uint8_t text[256];
        np_error_t error = {text, sizeof text, 0, 0, 0};
        np_status st = vt->save(nph_instance_raw(i.get()), &out.out, &error);
        if (message) *message = std::string((const char *)text, error.len);
        return st;
    }
    np_status restore(Instance &i, const std::vector<uint8_t> &blob, std::string *message = nullptr) {
        uint8_t text[256];
        np_error_t error = {text, sizeof text, 0, 0, 0};
        np_status st = vt->restore(nph_instance_raw(i.get()),
                                   np_bytes_t{blob.empty() ? nullptr : blob.data(), blob.size()}, &error);
        if (message) *message = std::string((const char *)text, error.len);
        return st;
    }
    Host host;
    const np_state_v1_t *vt = nullptr;
};

TEST_F(State, SaveGrowsTheBufferAndRestoreContinuesTheStreamInAFreshInstance) {
    Instance a(host, kPlugin);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.process({"a", "b"}), Records{"v1:1:a"}); // "b" held back
    Out out(1);
    ASSERT_EQ(save(a, out), NP_OK);
    EXPECT_GE(out.reserves, 1);
    Out again(64);
    ASSERT_EQ(save(a, again), NP_OK);
    EXPECT_EQ(again.bytes(), out.bytes()) << "save must not change the instance";

    Instance b(host, kPlugin);
    ASSERT_EQ(restore(b, out.bytes()), NP_OK);
    EXPECT_EQ(b.process({"c"}), (Records{"v1:2:b"}));
    EXPECT_EQ(b.flush(), Records{"v1:3:c"});
    EXPECT_EQ(a.flush(), Records{"v1:2:b"}); // the saved instance keeps its own state
}

TEST_F(State, AFixedBufferThatIsTooSmallIsOutOfMemoryNamingTheSize) {
    Instance a(host, kPlugin);
    Out out(3, /*growable=*/false);
    std::string message;
    EXPECT_EQ(save(a, out, &message), NP_ERR_OUT_OF_MEMORY);
    EXPECT_NE(message.find("bytes"), std::string::npos) << message;
}

TEST_F(State, ABlobThePluginDoesNotUnderstandIsRefusedAndTheInstanceStaysUsable) {
    Instance a(host, kPlugin);
    std::string message;
    EXPECT_EQ(restore(a, {'n', 'o', 'p', 'e'}, &message), NP_ERR_INPUT);
    EXPECT_NE(message.find("not a 'cnt1' state"), std::string::npos) << message;
    EXPECT_EQ(a.flush(), Records{}); // the refused restore opened no stream
    EXPECT_EQ(a.process({"x", "y"}), Records{"v1:1:x"});
}

TEST_F(State, ARestoreWithAStreamOpenIsRefusedWithoutRunningThePlugin) {
    Instance a(host, kPlugin);
    Out out(64);
    ASSERT_EQ(save(a, out), NP_OK);
    a.process({"x", "y"});
    std::string message;
    EXPECT_EQ(restore(a, out.bytes(), &message), NP_ERR_STATE);
    EXPECT_NE(message.find("stream is open"), std::string::npos) << message;
    EXPECT_EQ(a.flush(), Records{"v1:2:y"}); // nothing changed
}

TEST_F(State, ArgumentsAreCheckedBeforeThePluginRuns) {
    uint8_t text[256];
    np_error_t error = {text, sizeof text, 0, 0, 0};
    Out out(8);
    EXPECT_EQ(vt->save(nullptr, &out.out, &error), NP_ERR_INVALID_ARGUMENT);
    Instance a(host, kPlugin);
    EXPECT_EQ(vt->save(nph_instance_raw(a.get()), nullptr, &error), NP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(vt->restore(nph_instance_raw(a.get()), np_bytes_t{nullptr, 5}, &error), NP_ERR_INVALID_ARGUMENT);
}

} // namespace
