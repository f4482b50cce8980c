// test_support.cpp - see test_support.h.
#include "test_support.h"

namespace nptest {

std::string plugin_path(const std::string &file) { return std::string(NP_TEST_PLUGIN_DIR) + "/" + file; }
std::string fixture_path(const std::string &file) { return std::string(NP_TEST_FIXTURE_DIR) + "/" + file; }
std::string test_plugin_path(const std::string &file) { return std::string(NP_TEST_TEST_PLUGIN_DIR) + "/" + file; }

void Host::capture(void *context, int32_t level, const char *scope, np_str_t message) {
    auto *self = static_cast<Host *>(context);
    self->logs.push_back({level, scope, std::string(reinterpret_cast<const char *>(message.ptr), message.len)});
}

Host::Host(uint32_t abi_minor) {
    nph_host_options_t options;
    nph_host_options_init(&options);
    options.log = &Host::capture;
    options.log_context = this;
    options.min_log_level = NP_LOG_TRACE;
    options.abi_minor = abi_minor;
    host_ = nph_host_create(&options);
}

Host::~Host() { nph_host_destroy(host_); }

nph_library_t *Host::load(const std::string &path) {
    nph_diag_t diag;
    nph_library_t *lib = nullptr;
    nph_error_t e = nph_host_load(host_, path.c_str(), &lib, &diag);
    EXPECT_EQ(e, NPH_OK) << diag.message;
    return lib;
}

nph_error_t Host::try_load(const std::string &path, nph_diag_t *diag, nph_library_t **out) {
    nph_library_t *lib = nullptr;
    nph_error_t e = nph_host_load(host_, path.c_str(), &lib, diag);
    if (out) *out = lib;
    return e;
}

size_t Host::count_logs(const std::string &text) const {
    size_t n = 0;
    for (const auto &line : logs)
        if (line.message.find(text) != std::string::npos) n++;
    return n;
}

std::string Host::all_logs() const {
    std::string all;
    for (const auto &line : logs)
        all += "[" + std::to_string(line.level) + "] " + line.scope + ": " + line.message + "\n";
    return all;
}

Batch::Batch(const Records &records) {
    offsets_.push_back(0);
    for (const auto &r : records) {
        data_ += r;
        offsets_.push_back(data_.size());
    }
    batch_.data = reinterpret_cast<const uint8_t *>(data_.data());
    batch_.offsets = offsets_.data();
    batch_.count = records.size();
}

Instance::Instance(Host &host, const std::string &plugin_id, const std::string &config) {
    EXPECT_EQ(nph_emitter_init(&out_, 0, 0), 0);
    nph_transform_t transform;
    if (nph_host_find_transform(host.get(), plugin_id.c_str(), &transform, &create_diag_) != NPH_OK) return;
    nph_instance_create(host.get(), &transform, config.c_str(), &instance_, &create_diag_);
}

Instance::~Instance() {
    nph_instance_destroy(instance_);
    nph_emitter_free(&out_);
}

Records Instance::take(uint64_t first) {
    Records records;
    for (uint64_t i = first; i < out_.em.count; i++) {
        if (out_.em.offsets[i + 1] < out_.em.offsets[i] || out_.em.offsets[i + 1] > out_.em.data_used) break; // broken
        records.emplace_back(reinterpret_cast<const char *>(out_.em.data) + out_.em.offsets[i],
                             out_.em.offsets[i + 1] - out_.em.offsets[i]);
    }
    return records;
}

Records Instance::process(const Records &in, nph_error_t *code, nph_diag_t *diag) {
    nph_diag_t local;
    Batch batch(in);
    nph_emitter_clear(&out_);
    nph_error_t e = nph_instance_process(instance_, batch.get(), &out_, diag ? diag : &local);
    if (code)
        *code = e;
    else
        EXPECT_EQ(e, NPH_OK) << (diag ? diag : &local)->message;
    return take(0);
}

Records Instance::flush(nph_error_t *code, nph_diag_t *diag) {
    nph_diag_t local;
    nph_emitter_clear(&out_);
    nph_error_t e = nph_instance_flush(instance_, &out_, diag ? diag : &local);
    if (code)
        *code = e;
    else
        EXPECT_EQ(e, NPH_OK) << (diag ? diag : &local)->message;
    return take(0);
}

bool Instance::stats(np_transform_stats_t *out) { return nph_instance_stats(instance_, out) == 1; }

} // namespace nptest
