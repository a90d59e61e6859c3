#include <hashtag_exporter/http_client.hpp>
#include <hashtag_exporter/logfmt.hpp>
#include <hashtag_exporter/plugin/reasons.hpp>
#include <hashtag_exporter/redactor.hpp>
#include <hashtag_exporter/source.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <string_view>

extern char** environ;

namespace hashtag_exporter {
namespace {

std::string_view view(hx_str s) { return {s.data, s.size}; }

// Collects what the plugin reports during one round, keyed by the configured hashtags.
struct RoundSink {
  const std::string* source = nullptr;
  const Redactor* redactor = nullptr;
  std::map<std::string, std::optional<Snapshot>> samples;
  std::map<std::string, CollectFailure> failures;
  std::optional<double> credits;
  std::int64_t timestamp = 0;

  bool accepts(const std::string& hashtag) const {
    if (!samples.contains(hashtag)) {
      spdlog::warn("source={} hashtag={} msg=\"plugin reported a hashtag that was not asked for\"",
                   *source, logfmt_quote(redactor->redact(hashtag)));
      return false;
    }
    return !samples.at(hashtag) && !failures.contains(hashtag);
  }
};

}  // namespace

// Consecutive failures of a hashtag and how many rounds it still sits out.
struct Backoff {
  std::uint32_t consecutive_failures = 0;
  std::uint32_t rounds_to_skip = 0;
};

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::uint32_t kMaxSkippedRounds = 31;

// Every text a plugin hands the host passes here, so secrets are redacted once, for every plugin,
// before anything is logged, stored or served.
struct Source::Impl {
  SourceConfig config;
  std::shared_ptr<const LoadedPlugin> plugin;
  HttpClient http;
  Redactor redactor;
  // Lives as long as the plugin instance, which keeps a pointer to it.
  hx_host host{};
  void* instance = nullptr;
  // Set by cancel() from another thread; the plugin polls it through host.cancelled.
  std::atomic<bool> cancelled{false};
  std::map<std::string, Backoff> backoff;
  std::int64_t budget_day = -1;
  std::uint64_t credits_spent_today = 0;
  std::size_t budget_rotation = 0;  // who goes first when the budget cannot cover everyone

  static Impl& self(void* host_ctx) { return *static_cast<Impl*>(host_ctx); }

  static void log(void* host_ctx, std::uint32_t level, hx_str message) {
    const auto& name = self(host_ctx).config.name;
    const auto text = logfmt_quote(self(host_ctx).redactor.redact(view(message)));
    switch (level) {
      case HX_LOG_DEBUG: spdlog::debug("source={} msg={}", name, text); break;
      case HX_LOG_INFO: spdlog::info("source={} msg={}", name, text); break;
      case HX_LOG_WARN: spdlog::warn("source={} msg={}", name, text); break;
      default: spdlog::error("source={} msg={}", name, text); break;
    }
  }

  static std::int64_t now(void*) { return static_cast<std::int64_t>(std::time(nullptr)); }

  static hx_status configure(void* host_ctx, const hx_http_options* options) {
    if (options == nullptr) return HX_ERROR;
    auto next = self(host_ctx).http.options();
    if (options->timeout_ms) next.timeout = std::chrono::milliseconds(options->timeout_ms);
    if (options->max_in_flight) next.max_in_flight = options->max_in_flight;
    if (options->requests_per_minute) next.requests_per_minute = options->requests_per_minute;
    if (options->max_attempts) next.max_attempts = options->max_attempts;
    if (options->max_body_bytes) next.max_body_bytes = options->max_body_bytes;
    self(host_ctx).http.set_options(next);
    return HX_OK;
  }

  static hx_status submit(void* host_ctx, const hx_http_request* raw, hx_http_done_fn done,
                          void* user) {
    if (raw == nullptr || done == nullptr) return HX_ERROR;
    auto request = sdk::copy_request(*raw);
    auto* impl = &self(host_ctx);
    impl->redactor.learn_request(request);
    impl->http.submit(std::move(request), [impl, done, user](const HttpResponse& response) {
      impl->credits_spent_today += response.attempts;
      const auto raw_response = sdk::raw_response(response);
      done(user, &raw_response);
    });
    return HX_OK;
  }

  static void wait(void* host_ctx) { self(host_ctx).http.wait(); }

  static std::int32_t is_cancelled(void* host_ctx) { return self(host_ctx).cancelled ? 1 : 0; }

  static void on_sample(void* ctx, hx_str tag, std::int64_t videos, std::int64_t views) {
    auto& sink = *static_cast<RoundSink*>(ctx);
    const std::string hashtag(view(tag));
    if (!sink.accepts(hashtag)) return;
    if (videos < 0 || views < 0) {
      sink.failures[hashtag] = {hashtag, "bad_response", "negative count reported"};
      return;
    }
    sink.samples[hashtag] = Snapshot{sink.timestamp, *sink.source, hashtag, videos, views};
  }

  static void on_failure(void* ctx, hx_str tag, std::uint32_t reason, hx_str message) {
    auto& sink = *static_cast<RoundSink*>(ctx);
    const std::string hashtag(view(tag));
    if (!sink.accepts(hashtag)) return;
    sink.failures[hashtag] = {hashtag, std::string(sdk::reason_label(reason)),
                              sink.redactor->redact(view(message))};
  }

  static void on_credits(void* ctx, double credits) {
    static_cast<RoundSink*>(ctx)->credits = credits;
  }
};

Source::Source(const SourceConfig& config, std::shared_ptr<const LoadedPlugin> plugin)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->plugin = std::move(plugin);
  impl_->redactor.learn_settings(config.settings_json);
  impl_->redactor.learn_environment(environ);
  impl_->host = hx_host{impl_.get(),    &Impl::log,  &Impl::now,         &Impl::configure,
                        &Impl::submit, &Impl::wait, &Impl::is_cancelled};
  hx_error error{};
  const auto& table = impl_->plugin->table();
  const hx_str settings{config.settings_json.data(), config.settings_json.size()};
  if (table.create(&impl_->host, settings, &impl_->instance, &error) != HX_OK) {
    throw config.settings_error(error.key, impl_->redactor.redact(error.message));
  }
}

Source::~Source() {
  if (impl_->instance != nullptr) impl_->plugin->table().destroy(impl_->instance);
}

const SourceConfig& Source::config() const { return impl_->config; }
const PluginDescription& Source::plugin() const { return impl_->plugin->description(); }

void Source::cancel() {
  impl_->cancelled = true;
  impl_->http.cancel();
}

CollectionRound Source::collect() {
  const auto started = std::chrono::steady_clock::now();
  auto& impl = *impl_;
  RoundSink sink;
  sink.source = &impl.config.name;
  sink.redactor = &impl.redactor;
  sink.timestamp = Impl::now(nullptr);
  CollectionRound round;
  round.source = impl.config.name;
  round.started_at = sink.timestamp;

  if (sink.timestamp / kSecondsPerDay != impl.budget_day) {
    impl.budget_day = sink.timestamp / kSecondsPerDay;
    impl.credits_spent_today = 0;
  }
  std::vector<std::string> wanted;
  for (const auto& hashtag : impl.config.hashtags) {
    auto& backoff = impl.backoff[hashtag];
    if (backoff.rounds_to_skip > 0) {
      --backoff.rounds_to_skip;
      round.suspended.push_back(hashtag);
    } else {
      wanted.push_back(hashtag);
    }
  }
  if (const auto budget = impl.config.max_credits_per_day; budget > 0) {
    const auto left = budget > impl.credits_spent_today ? budget - impl.credits_spent_today : 0;
    if (left < wanted.size()) {
      round.budget_exhausted = true;
      std::rotate(wanted.begin(), wanted.begin() + impl.budget_rotation % wanted.size(),
                  wanted.end());
      impl.budget_rotation += left;
      round.suspended.insert(round.suspended.end(), wanted.begin() + left, wanted.end());
      wanted.resize(left);
      spdlog::warn("source={} budget={} spent={} paused={} msg=\"daily credit budget "
                   "(max_credits_per_day) spent: collection paused until 00:00 UTC\"",
                   impl.config.name, budget, impl.credits_spent_today,
                   round.suspended.size());
    }
  }

  std::vector<hx_str> hashtags;
  for (const auto& hashtag : wanted) {
    sink.samples[hashtag];
    hashtags.push_back({hashtag.data(), hashtag.size()});
  }
  const hx_collect_sink raw_sink{&sink, &Impl::on_sample, &Impl::on_failure, &Impl::on_credits};
  if (!hashtags.empty()) {
    impl.plugin->table().collect(impl.instance, hashtags.data(), hashtags.size(), &raw_sink);
  }

  round.credits_remaining = sink.credits;
  for (const auto& hashtag : wanted) {
    auto& backoff = impl.backoff[hashtag];
    if (auto failure = sink.failures.find(hashtag); failure != sink.failures.end()) {
      round.failures.push_back(failure->second);
    } else if (const auto& sample = sink.samples.at(hashtag)) {
      round.snapshots.push_back(*sample);
      backoff = {};
      continue;
    } else {
      round.failures.push_back({hashtag, "bad_response", "the plugin reported no result"});
    }
    ++backoff.consecutive_failures;
    const auto max_skip = std::min<std::int64_t>(
        kMaxSkippedRounds, kSecondsPerDay / std::max<std::int64_t>(1, impl.config.interval.count()));
    backoff.rounds_to_skip = static_cast<std::uint32_t>(std::min<std::int64_t>(
        (std::int64_t{1} << std::min<std::uint32_t>(backoff.consecutive_failures - 1, 31)) - 1,
        max_skip));
    if (backoff.rounds_to_skip > 0) {
      spdlog::info("source={} hashtag={} failures={} skipped_rounds={} msg=\"suspending a failing "
                   "hashtag\"",
                   impl.config.name, hashtag, backoff.consecutive_failures,
                   backoff.rounds_to_skip);
    }
  }
  round.credits_spent_today = impl.credits_spent_today;
  round.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return round;
}

}  // namespace hashtag_exporter
