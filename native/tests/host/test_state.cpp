// np_c_host's np.state/1 (ABI 1.3, nph_state.c): save and restore through the stateful fixture, the refusal of bytes
// the plugin does not understand (rule P13), a plugin without np.state/1 or below ABI 1.3, and the np_out_bytes_t
// check of save (rule P10: a write past its capacity poisons the instance).
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace {

using nptest::Host;
using nptest::Instance;
using nptest::Records;

const char *const kStateful = "org.nativeplugins.fixture.stateful";

std::string stateful(const std::string &variant) {
    return nptest::fixture_path("reload/libnp_fixture_stateful_" + variant + ".so");
}

std::string save(Instance &instance, nph_error_t *code = nullptr, nph_diag_t *diag = nullptr) {
    uint8_t *data = nullptr;
    uint64_t len = 0;
    nph_diag_t local;
    nph_error_t e = nph_instance_save_state(instance.get(), &data, &len, diag ? diag : &local);
    if (code) *code = e;
    std::string blob(reinterpret_cast<const char *>(data), data ? len : 0);
    nph_state_free(data);
    return blob;
}

TEST(HostState, ARestoredInstanceContinuesTheStreamOfTheSavedOne) {
    Host host;
    host.load(stateful("v1"));
    Instance a(host, kStateful);
    ASSERT_TRUE(a.ok()) << a.create_diag().message;
    EXPECT_TRUE(nph_instance_supports_state(a.get()));
    EXPECT_EQ(a.process({"a", "b"}), (Records{"v1:1:a"})); // "b" (record 2) is held back
    nph_error_t code;
    std::string blob = save(a, &code);
    ASSERT_EQ(code, NPH_OK);
    EXPECT_EQ(blob.substr(0, 4), "cnt1");
    EXPECT_EQ(save(a), blob) << "save does not change the instance";

    Instance b(host, kStateful);
    nph_diag_t diag;
    ASSERT_EQ(nph_instance_restore_state(b.get(), reinterpret_cast<const uint8_t *>(blob.data()), blob.size(), &diag),
              NPH_OK)
        << diag.message;
    EXPECT_EQ(b.process({"c"}), (Records{"v1:2:b"}));
    EXPECT_EQ(b.flush(), (Records{"v1:3:c"}));
}

TEST(HostState, BytesThePluginDoesNotUnderstandAreItsNpErrInputAndTheInstanceKeepsItsState) {
    Host host;
    host.load(stateful("v1"));
    Instance a(host, kStateful);
    const uint8_t garbage[] = {'n', 'o', 'p', 'e', 1, 2, 3};
    nph_diag_t diag;
    EXPECT_EQ(nph_instance_restore_state(a.get(), garbage, sizeof garbage, &diag), NPH_E_PLUGIN);
    EXPECT_EQ(diag.status, NP_ERR_INPUT);
    std::string message = diag.message;
    EXPECT_NE(message.find("libnp_fixture_stateful_v1.so: plugin 'org.nativeplugins.fixture.stateful': restore failed "
                           "with NP_ERR_INPUT: not a 'cnt1' state"),
              std::string::npos)
        << message;
    EXPECT_GT(diag.plugin_text_at, 0u);
    EXPECT_EQ(a.process({"a", "b"}), (Records{"v1:1:a"})) << "the refused restore left the fresh state as it was";
}

TEST(HostState, APluginWithoutNpStateHasNone) {
    Host host;
    host.load(stateful("nostate"));
    Instance a(host, kStateful);
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(nph_instance_supports_state(a.get()));
    nph_error_t code;
    nph_diag_t diag;
    save(a, &code, &diag);
    EXPECT_EQ(code, NPH_E_NOT_FOUND);
    EXPECT_NE(std::string(diag.message).find("offers no np.state/1"), std::string::npos) << diag.message;
    EXPECT_EQ(nph_instance_restore_state(a.get(), nullptr, 0, &diag), NPH_E_NOT_FOUND);
}

TEST(HostState, BelowAbi13TheInterfaceIsNeverCalled) {
    Host host(2);
    host.load(stateful("v1"));
    Instance a(host, kStateful);
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(nph_instance_supports_state(a.get()));
}

TEST(HostState, AWritePastTheSaveBufferIsCaughtAndPoisonsTheInstance) {
    Host host;
    host.load(stateful("faults"));
    Instance a(host, kStateful, "save=overrun");
    ASSERT_TRUE(a.ok()) << a.create_diag().message;
    nph_error_t code;
    nph_diag_t diag;
    EXPECT_EQ(save(a, &code, &diag), "");
    EXPECT_EQ(code, NPH_E_PROTOCOL);
    std::string message = diag.message;
    EXPECT_NE(message.find("save wrote past the end of its np_out_bytes_t buffer; the instance is poisoned"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("EEEE"), std::string::npos) << "the overrun bytes are never shown";
    nph_error_t again;
    a.process({"x"}, &again, &diag);
    EXPECT_EQ(again, NPH_E_PROTOCOL);
    EXPECT_NE(std::string(diag.message).find("refused: the instance is poisoned"), std::string::npos) << diag.message;
}

TEST(HostState, AnNpStateVtableWithoutRestoreIsRefusedAtLoadFromAbi13On) {
    const std::string file = nptest::fixture_path("reload/libnp_fixture_state_null_restore.so");
    Host host;
    nph_diag_t diag;
    EXPECT_EQ(host.try_load(file, &diag), NPH_E_INVALID);
    EXPECT_NE(std::string(diag.message)
                  .find("libnp_fixture_state_null_restore.so: plugin "
                        "'org.nativeplugins.fixture.state-null-restore': required function "
                        "np_state_v1_t.restore is NULL"),
              std::string::npos)
        << diag.message;
    Host older(2); // np.state/1 is an interface a 1.2 host does not know: listed, never read
    older.load(file);
}

} // namespace
