// Test helpers for plugin authors: a fake host (log, clock and an HTTP client answered by a
// function of yours) and a driver that creates an instance from settings, collects and gathers
// what the plugin reported. Header-only; use it with any test framework.
//
//   hashtag_exporter::sdk::testing::FakeHost host;
//   host.http = [](const hashtag_exporter::sdk::HttpRequest& r) {
//     return hashtag_exporter::sdk::HttpResponse{HX_TRANSPORT_OK, 200, R"({"n": 1})", "", 1};
//   };
//   auto plugin = hashtag_exporter::sdk::testing::open_plugin("build/my_source.so");
//   hashtag_exporter::sdk::testing::Instance instance(plugin, host, R"({"url": "..."})");
//   auto got = instance.collect({"aitools"});   // got.samples, got.failures, host.logs
#pragma once

#include <hashtag_exporter/plugin/abi.h>
#include <hashtag_exporter/plugin/reasons.hpp>
#include <hashtag_exporter/plugin/sdk.hpp>

#include <dlfcn.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hashtag_exporter::sdk::testing {

struct Sample {
  std::string hashtag;
  std::int64_t video_count = 0;
  std::int64_t view_count = 0;
};

struct Failure {
  std::string hashtag;
  hx_reason reason = HX_REASON_BAD_RESPONSE;
  std::string message;
};

struct Collected {
  std::vector<Sample> samples;
  std::vector<Failure> failures;
  std::optional<double> credits_remaining;

  const Sample* sample(const std::string& hashtag) const {
    for (const auto& s : samples)
      if (s.hashtag == hashtag) return &s;
    return nullptr;
  }
  const Failure* failure(const std::string& hashtag) const {
    for (const auto& f : failures)
      if (f.hashtag == hashtag) return &f;
    return nullptr;
  }
};

// The `reason` label the host exports for a reason code.
inline std::string reason_label(hx_reason reason) {
  return std::string(sdk::reason_label(static_cast<std::uint32_t>(reason)));
}

// A host for one instance; it must outlive the Instance created on it, as the real host's table
// outlives the instance. Requests are answered by `http` inside http_wait, one at a time, like
// the real host runs the `done` callbacks; without `http` every request is unreachable.
// cancel() is what the real host does on shutdown: from any thread, the plugin's cancelled()
// turns true and requests still to be answered complete as HX_TRANSPORT_CANCELLED.
class FakeHost {
 public:
  std::function<HttpResponse(const HttpRequest&)> http;
  std::vector<std::pair<hx_log_level, std::string>> logs;
  std::vector<HttpRequest> requests;            // every request submitted, in order
  std::optional<hx_http_options> http_options;  // what the plugin configured
  std::int64_t now = 1'700'000'000;

  FakeHost() {
    table_.host_ctx = this;
    table_.log = &FakeHost::log;
    table_.now_unix_seconds = &FakeHost::clock;
    table_.http_configure = &FakeHost::configure;
    table_.http_submit = &FakeHost::submit;
    table_.http_wait = &FakeHost::wait;
    table_.cancelled = &FakeHost::is_cancelled;
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const hx_host* table() const { return &table_; }

  void cancel() { cancelled_ = true; }

  // Every log line joined, one per line, for EXPECT_THAT(host.log_text(), HasSubstr(..)).
  std::string log_text() const {
    std::string text;
    for (const auto& [level, line] : logs) text += line + "\n";
    return text;
  }

 private:
  struct Pending {
    HttpRequest request;
    hx_http_done_fn done;
    void* user;
  };

  static FakeHost& self(void* ctx) { return *static_cast<FakeHost*>(ctx); }
  static void log(void* ctx, std::uint32_t level, hx_str message) {
    self(ctx).logs.emplace_back(static_cast<hx_log_level>(level), std::string(from_hx(message)));
  }
  static std::int64_t clock(void* ctx) { return self(ctx).now; }
  static hx_status configure(void* ctx, const hx_http_options* options) {
    if (options == nullptr) return HX_ERROR;
    self(ctx).http_options = *options;
    return HX_OK;
  }
  static hx_status submit(void* ctx, const hx_http_request* raw, hx_http_done_fn done, void* user) {
    auto request = copy_request(*raw);
    self(ctx).requests.push_back(request);
    self(ctx).pending_.push_back({std::move(request), done, user});
    return HX_OK;
  }
  static void wait(void* ctx) {
    auto& host = self(ctx);
    while (!host.pending_.empty()) {
      auto next = std::move(host.pending_.front());
      host.pending_.pop_front();
      HttpResponse response{HX_TRANSPORT_UNREACHABLE, 0, {}, "no fake HTTP handler", 1};
      if (host.cancelled_) {
        response = {HX_TRANSPORT_CANCELLED, 0, {}, "cancelled", 0};
      } else if (host.http) {
        response = host.http(next.request);
      }
      const auto raw = raw_response(response);
      next.done(next.user, &raw);
    }
  }
  static std::int32_t is_cancelled(void* ctx) { return self(ctx).cancelled_ ? 1 : 0; }

  hx_host table_{};
  std::deque<Pending> pending_;
  std::atomic<bool> cancelled_{false};
};

// Opens a built plugin like the host does (without its checks beyond the two symbols); the
// library stays loaded until the process exits.
inline const hx_plugin* open_plugin(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
  const auto* version =
      static_cast<const std::uint32_t*>(dlsym(handle, HX_PLUGIN_ABI_VERSION_SYMBOL));
  if (version == nullptr || *version != HX_PLUGIN_ABI_VERSION)
    throw std::runtime_error(path + ": missing or different plugin ABI version");
  auto* entry = reinterpret_cast<hx_plugin_entry_fn>(dlsym(handle, HX_PLUGIN_ENTRY_SYMBOL));
  if (entry == nullptr) throw std::runtime_error(path + ": no entry symbol");
  return entry();
}

// One instance of a plugin on a FakeHost. The constructor throws std::runtime_error with
// "key: message" when the plugin rejects the settings.
class Instance {
 public:
  Instance(const hx_plugin* plugin, FakeHost& host, const std::string& settings_json)
      : plugin_(plugin) {
    hx_error error{};
    if (plugin_->create(host.table(), to_hx(settings_json), &instance_, &error) != HX_OK) {
      throw std::runtime_error(std::string(error.key) + ": " + error.message);
    }
  }
  ~Instance() {
    if (instance_ != nullptr) plugin_->destroy(instance_);
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  Collected collect(const std::vector<std::string>& hashtags) {
    Collected out;
    std::vector<hx_str> tags;
    for (const auto& tag : hashtags) tags.push_back(to_hx(tag));
    hx_collect_sink sink{&out, &Instance::on_sample, &Instance::on_failure, &Instance::on_credits};
    plugin_->collect(instance_, tags.data(), tags.size(), &sink);
    return out;
  }

 private:
  static Collected& out(void* ctx) { return *static_cast<Collected*>(ctx); }
  static void on_sample(void* ctx, hx_str tag, std::int64_t videos, std::int64_t views) {
    out(ctx).samples.push_back({std::string(from_hx(tag)), videos, views});
  }
  // Like the host, a code no reason has counts as a bad response.
  static void on_failure(void* ctx, hx_str tag, std::uint32_t code, hx_str message) {
    out(ctx).failures.push_back({std::string(from_hx(tag)),
                                 reason_of_code(code).value_or(HX_REASON_BAD_RESPONSE),
                                 std::string(from_hx(message))});
  }
  static void on_credits(void* ctx, double credits) { out(ctx).credits_remaining = credits; }

  const hx_plugin* plugin_;
  void* instance_ = nullptr;
};

}  // namespace hashtag_exporter::sdk::testing
