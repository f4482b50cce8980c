// test_support.h - shared helpers of the native C tests: paths of built libraries, a host with captured logs,
// and an RAII instance that runs string records through a plugin.
#ifndef NP_TESTS_SUPPORT_H
#define NP_TESTS_SUPPORT_H

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nplug_host/nph.h>

namespace nptest {

// <build>/plugins/<file>, <build>/fixtures/<file>, <build>/test-plugins/<file>.
std::string plugin_path(const std::string &file);
std::string fixture_path(const std::string &file);
std::string test_plugin_path(const std::string &file);

struct LogLine {
    int32_t level;
    std::string scope;
    std::string message;
};

// A C host (np_c_host) whose log lines are captured.
class Host {
  public:
    explicit Host(uint32_t abi_minor = NPH_HOST_NEWEST_MINOR);
    ~Host();
    Host(const Host &) = delete;
    Host &operator=(const Host &) = delete;

    nph_host_t *get() const { return host_; }
    // Loads and fails the test (fatally) if the library is refused.
    nph_library_t *load(const std::string &path);
    nph_error_t try_load(const std::string &path, nph_diag_t *diag, nph_library_t **out = nullptr);
    // Log lines containing text.
    size_t count_logs(const std::string &text) const;
    std::string all_logs() const;

    std::vector<LogLine> logs;

  private:
    static void capture(void *context, int32_t level, const char *scope, np_str_t message);
    nph_host_t *host_;
};

using Records = std::vector<std::string>;

// One np.transform/1 instance plus an emitter.
class Instance {
  public:
    Instance(Host &host, const std::string &plugin_id, const std::string &config = "");
    ~Instance();
    Instance(const Instance &) = delete;
    Instance &operator=(const Instance &) = delete;

    bool ok() const { return instance_ != nullptr; }
    const nph_diag_t &create_diag() const { return create_diag_; }
    nph_instance_t *get() const { return instance_; }

    // Process one batch; returns the records emitted by this call. *code gets the host's verdict.
    Records process(const Records &in, nph_error_t *code = nullptr, nph_diag_t *diag = nullptr);
    Records flush(nph_error_t *code = nullptr, nph_diag_t *diag = nullptr);
    bool stats(np_transform_stats_t *out);

  private:
    Records take(uint64_t first);
    nph_instance_t *instance_ = nullptr;
    nph_diag_t create_diag_{};
    nph_emitter_t out_{};
};

// A batch over strings (kept alive by the object).
class Batch {
  public:
    explicit Batch(const Records &records);
    const np_batch_t *get() const { return &batch_; }

  private:
    std::string data_;
    std::vector<uint64_t> offsets_;
    np_batch_t batch_{};
};

} // namespace nptest

#endif
