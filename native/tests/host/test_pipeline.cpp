// Pipelines of the C host: stage output feeds the next stage, finish() flushes stage by stage so held-back
// records still pass later stages, counts per stage.
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace {

using nptest::Batch;
using nptest::Host;
using nptest::Records;

int collect(void *context, const np_batch_t *records) {
    auto *out = static_cast<Records *>(context);
    for (uint64_t i = 0; i < records->count; i++)
        out->emplace_back(reinterpret_cast<const char *>(records->data) + records->offsets[i],
                          records->offsets[i + 1] - records->offsets[i]);
    return 0;
}

class Pipeline : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_NE(host.load(nptest::plugin_path("libnp_c_text.so")), nullptr);
        ASSERT_NE(host.load(nptest::plugin_path("libnp_c_counter.so")), nullptr);
        ASSERT_NE(host.load(nptest::test_plugin_path("libnp_test_registry.so")), nullptr);
        pipeline = nph_pipeline_create(host.get());
        ASSERT_NE(pipeline, nullptr);
    }
    void TearDown() override {
        nph_pipeline_destroy(pipeline);
        EXPECT_EQ(host.count_logs("rule P"), 0u) << host.all_logs();
    }
    void add(const char *id, const char *config = "") {
        nph_diag_t diag;
        ASSERT_EQ(nph_pipeline_add(pipeline, id, config, &diag), NPH_OK) << diag.message;
    }
    void push(const Records &records) {
        Batch batch(records);
        nph_diag_t diag;
        ASSERT_EQ(nph_pipeline_push(pipeline, batch.get(), collect, &out, &diag), NPH_OK) << diag.message;
    }
    void finish() {
        nph_diag_t diag;
        ASSERT_EQ(nph_pipeline_finish(pipeline, collect, &out, &diag), NPH_OK) << diag.message;
    }
    Host host;
    nph_pipeline_t *pipeline = nullptr;
    Records out;
};

TEST_F(Pipeline, StagesChainAndTheSummaryArrivesAtFinish) {
    add("org.nativeplugins.c.upper");
    add("org.nativeplugins.c.grep", "pattern=AN");
    add("org.nativeplugins.c.counter", "per_value=true");
    push({"banana", "kiwi", "mango"});
    push({"banana"});
    EXPECT_EQ(out, Records{});
    finish();
    EXPECT_EQ(out, (Records{"2\tBANANA", "1\tMANGO", "records=3 bytes=17 distinct=2"}));
    const nph_stage_counts_t *grep = nph_pipeline_stage_counts(pipeline, 1);
    EXPECT_EQ(grep->records_in, 4u);
    EXPECT_EQ(grep->records_out, 3u);
    EXPECT_EQ(grep->process_calls, 2u);
    EXPECT_EQ(grep->flush_calls, 1u);
    EXPECT_EQ(nph_pipeline_stage_counts(pipeline, 2)->records_out, 3u);
}

TEST_F(Pipeline, RecordsHeldBackByAnEarlyStagePassTheLaterStagesAtFinish) {
    add("org.nativeplugins.test.holdback");
    add("org.nativeplugins.c.upper");
    push({"a", "b"});
    EXPECT_EQ(out, Records{"A"});
    finish();
    EXPECT_EQ(out, (Records{"A", "B"}));
    out.clear();
    push({"c"}); // a second stream
    finish();
    EXPECT_EQ(out, Records{"C"});
}

TEST_F(Pipeline, AFailingStageStopsThePushWithItsMessage) {
    add("org.nativeplugins.c.upper");
    Batch batch({"ok", "bad\xff"});
    nph_diag_t diag;
    EXPECT_EQ(nph_pipeline_push(pipeline, batch.get(), collect, &out, &diag), NPH_E_PLUGIN);
    EXPECT_NE(std::string(diag.message).find("plugin 'org.nativeplugins.c.upper': process failed with NP_ERR_INPUT"),
              std::string::npos)
        << diag.message;
}

TEST_F(Pipeline, UnknownPluginIsNotFound) {
    nph_diag_t diag;
    EXPECT_EQ(nph_pipeline_add(pipeline, "org.nativeplugins.c.nope", "", &diag), NPH_E_NOT_FOUND);
    EXPECT_NE(std::string(diag.message).find("no loaded library provides plugin 'org.nativeplugins.c.nope'"),
              std::string::npos);
}

} // namespace
