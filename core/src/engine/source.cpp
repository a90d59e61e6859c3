#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/credit_budget.hpp>
#include <hashtag_exporter/failure_backoff.hpp>
#include <hashtag_exporter/http_client.hpp>
#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/plugin/reasons.hpp>
#include <hashtag_exporter/poll_urgency.hpp>
#include <hashtag_exporter/redactor.hpp>
#include <hashtag_exporter/source.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

extern char** environ;

namespace hashtag_exporter {
namespace {

std::string_view view(hx_str s) { return {s.data, s.size}; }

// Collects what the plugin reports during one round, keyed by the configured hashtags. Results
// may arrive from HTTP threads: `mutex` keeps them, and the progress calls, one at a time.
struct RoundSink {
  const std::string* source = nullptr;
  const Redactor* redactor = nullptr;
  const std::atomic<bool>* round_cancelled = nullptr;
  const ProgressCallback* progress_callback = nullptr;
  std::mutex mutex;
  std::map<std::string, std::optional<Snapshot>> samples;
  std::map<std::string, CollectFailure> failures;
  // Failures reported once the round was cancelled: the cancellation's doing (requests completed
  // as cancelled), not the hashtag's, so they are not counted against it.
  std::set<std::string> cancelled;
  RoundProgress progress;
  std::optional<double> credits;
  std::int64_t timestamp = 0;

  // The configured hashtag that `reported` names once normalised as the config's are ("#AITools"
  // names "aitools"), when it was asked for and has no result yet: the first answer counts.
  std::optional<std::string> accepted(std::string_view reported) const {
    std::string hashtag = normalise_hashtag(reported);
    if (!samples.contains(hashtag)) {
      log::warn("plugin reported a hashtag that was not asked for",
                {{"source", *source}, {"hashtag", redactor->redact(reported)}});
      return std::nullopt;
    }
    if (samples.at(hashtag) || failures.contains(hashtag) || cancelled.contains(hashtag)) {
      return std::nullopt;
    }
    return hashtag;
  }

  void fail(const std::string& hashtag, CollectFailure failure) {
    if (*round_cancelled) {
      cancelled.insert(hashtag);
      return;
    }
    failures[hashtag] = std::move(failure);
    ++progress.failed;
    report_progress();
  }

  void succeed(const std::string& hashtag, Snapshot snapshot) {
    samples[hashtag] = std::move(snapshot);
    ++progress.fetched;
    report_progress();
  }

  void report_progress() const {
    if (*progress_callback) (*progress_callback)(progress);
  }
};

}  // namespace

// What a source keeps across reloads, shared with the source that replaces it. Its rounds and
// HTTP callbacks, and those of a round a reload left running, update it from their own threads.
struct SourceLedger {
  std::mutex mutex;
  CreditBudget budget;
  FailureBackoff backoff;
  PollPlan plan;  // adaptive sources
};

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
  Clock* clock = nullptr;
  std::shared_ptr<SourceLedger> ledger = std::make_shared<SourceLedger>();
  // Set by cancel() from another thread; the plugin polls it through host.cancelled.
  std::atomic<bool> cancelled{false};
  // API requests of the round in progress, retries included: what it costs past one credit per
  // hashtag.
  std::atomic<std::uint64_t> requests{0};

  bool adaptive() const { return config.schedule == ScheduleKind::adaptive; }

  static Impl& self(void* host_ctx) { return *static_cast<Impl*>(host_ctx); }

  static void log(void* host_ctx, std::uint32_t level, hx_str message) {
    const auto& name = self(host_ctx).config.name;
    const auto text = self(host_ctx).redactor.redact(view(message));
    switch (level) {
      case HX_LOG_DEBUG: log::debug(text, {{"source", name}}); break;
      case HX_LOG_INFO: log::info(text, {{"source", name}}); break;
      case HX_LOG_WARN: log::warn(text, {{"source", name}}); break;
      default: log::error(text, {{"source", name}}); break;
    }
  }

  static std::int64_t now(void* host_ctx) { return self(host_ctx).clock->unix_seconds(); }

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
      impl->requests += response.attempts;
      const auto raw_response = sdk::raw_response(response);
      done(user, &raw_response);
    });
    return HX_OK;
  }

  static void wait(void* host_ctx) { self(host_ctx).http.wait(); }

  static std::int32_t is_cancelled(void* host_ctx) { return self(host_ctx).cancelled ? 1 : 0; }

  static void on_sample(void* ctx, hx_str tag, std::int64_t videos, std::int64_t views) {
    auto& sink = *static_cast<RoundSink*>(ctx);
    std::lock_guard lock(sink.mutex);
    const auto accepted = sink.accepted(view(tag));
    if (!accepted) return;
    const std::string& hashtag = *accepted;
    if (videos < 0 || views < 0) {
      sink.fail(hashtag, {hashtag, "bad_response", "negative count reported"});
      return;
    }
    sink.succeed(hashtag, Snapshot{sink.timestamp, *sink.source, hashtag, videos, views});
  }

  static void on_failure(void* ctx, hx_str tag, std::uint32_t reason, hx_str message) {
    auto& sink = *static_cast<RoundSink*>(ctx);
    std::lock_guard lock(sink.mutex);
    const auto accepted = sink.accepted(view(tag));
    if (!accepted) return;
    const std::string& hashtag = *accepted;
    sink.fail(hashtag, {hashtag, std::string(sdk::reason_label(reason)),
                        sink.redactor->redact(view(message))});
  }

  static void on_credits(void* ctx, double credits) {
    auto& sink = *static_cast<RoundSink*>(ctx);
    std::lock_guard lock(sink.mutex);
    sink.credits = credits;
  }
};

Source::Source(const SourceConfig& config, std::shared_ptr<const LoadedPlugin> plugin, Clock& clock)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->clock = &clock;
  impl_->plugin = std::move(plugin);
  impl_->redactor.learn_settings(config.settings_json);
  impl_->redactor.learn_environment(environ);
  impl_->host = hx_host{impl_.get(),   &Impl::log,  &Impl::now,         &Impl::configure,
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

void Source::take_over(const Source& previous) { impl_->ledger = previous.impl_->ledger; }

CollectionRound Source::collect(const ProgressCallback& progress) {
  auto& impl = *impl_;
  const auto started = impl.clock->monotonic();
  RoundSink sink;
  sink.source = &impl.config.name;
  sink.redactor = &impl.redactor;
  sink.round_cancelled = &impl.cancelled;
  sink.progress_callback = &progress;
  sink.timestamp = impl.clock->unix_seconds();
  CollectionRound round;
  round.source = impl.config.name;
  round.started_at = sink.timestamp;

  CreditBudget::Plan plan;
  {
    std::lock_guard lock(impl.ledger->mutex);
    auto& poll_plan = impl.ledger->plan;
    const auto candidates = impl.adaptive() ? poll_plan.due(impl.config.hashtags, sink.timestamp,
                                                            impl.config.poll_bounds)
                                            : impl.config.hashtags;
    std::vector<std::string> due;
    for (const auto& hashtag : candidates) {
      if (impl.ledger->backoff.sits_out(hashtag)) {
        round.suspended.push_back(hashtag);
        if (impl.adaptive()) poll_plan.polled(hashtag, sink.timestamp);
      } else {
        due.push_back(hashtag);
      }
    }
    plan =
        impl.ledger->budget.plan(std::move(due), impl.config.max_credits_per_day, sink.timestamp);
    if (impl.adaptive()) {
      for (const auto& hashtag : plan.fetch) poll_plan.polled(hashtag, sink.timestamp);
    }
    round.credits_spent_today = impl.ledger->budget.spent_today();
  }
  if (plan.exhausted) {
    round.budget_exhausted = true;
    round.suspended.insert(round.suspended.end(), plan.paused.begin(), plan.paused.end());
    log::warn("daily credit budget (max_credits_per_day) spent: collection paused until 00:00 UTC",
              {{"source", impl.config.name},
               {"budget", impl.config.max_credits_per_day},
               {"spent", round.credits_spent_today},
               {"paused", round.suspended.size()}});
  }
  const auto& wanted = plan.fetch;

  std::vector<hx_str> hashtags;
  for (const auto& hashtag : wanted) {
    sink.samples[hashtag];
    hashtags.push_back({hashtag.data(), hashtag.size()});
  }
  sink.progress.planned = wanted.size();
  sink.report_progress();
  const hx_collect_sink raw_sink{&sink, &Impl::on_sample, &Impl::on_failure, &Impl::on_credits};
  impl.requests = 0;
  if (!hashtags.empty()) {
    impl.plugin->table().collect(impl.instance, hashtags.data(), hashtags.size(), &raw_sink);
  }

  round.credits_remaining = sink.credits;
  std::lock_guard lock(impl.ledger->mutex);
  const std::uint64_t requests = impl.requests;
  const std::uint64_t extra_requests = requests > wanted.size() ? requests - wanted.size() : 0;
  impl.ledger->budget.spend(extra_requests);
  round.credits_spent = wanted.size() + extra_requests;
  for (const auto& hashtag : wanted) {
    if (sink.cancelled.contains(hashtag) ||
        (impl.cancelled && !sink.samples.at(hashtag) && !sink.failures.contains(hashtag))) {
      round.cancelled.push_back(hashtag);
      continue;
    }
    if (auto failure = sink.failures.find(hashtag); failure != sink.failures.end()) {
      round.failures.push_back(failure->second);
    } else if (const auto& sample = sink.samples.at(hashtag)) {
      round.snapshots.push_back(*sample);
      impl.ledger->backoff.succeeded(hashtag);
      continue;
    } else {
      round.failures.push_back({hashtag, "bad_response", "the plugin reported no result"});
    }
    const auto interval = impl.adaptive()
                              ? impl.ledger->plan.interval(hashtag, impl.config.poll_bounds)
                              : impl.config.interval;
    if (const auto sitting_out = impl.ledger->backoff.failed(hashtag, interval)) {
      log::info(
          "suspending a failing hashtag",
          {{"source", impl.config.name}, {"hashtag", hashtag}, {"skipped_rounds", sitting_out}});
    }
  }
  round.credits_spent_today = impl.ledger->budget.spent_today();
  round.duration_seconds = std::chrono::duration<double>(impl.clock->monotonic() - started).count();
  return round;
}

void Source::reschedule(const ExporterState& state) {
  auto& impl = *impl_;
  if (!impl.adaptive()) return;
  const auto& window = impl.config.watched_window;
  const auto now = impl.clock->unix_seconds();
  std::lock_guard lock(impl.ledger->mutex);
  auto& plan = impl.ledger->plan;
  auto hashtag = std::lower_bound(
      state.hashtags.begin(), state.hashtags.end(), impl.config.name,
      [](const HashtagState& entry, const std::string& source) { return entry.source < source; });
  for (; hashtag != state.hashtags.end() && hashtag->source == impl.config.name; ++hashtag) {
    GrowthSignals signals{.recent_growth = hashtag->recent_growth_percent,
                          .alert_threshold_percent = hashtag->alert_threshold_percent};
    if (const auto growth = hashtag->videos_growth_percent.find(window.label);
        growth != hashtag->videos_growth_percent.end()) {
      signals.growth = growth->second;
    }
    if (!hashtag->latest) continue;  // never fetched: due at once, urgency unknown
    // After a restart or a switch from a fixed schedule, not all at once: from the last fetch.
    plan.fetched_before(hashtag->hashtag, hashtag->latest->timestamp);
    plan.set_urgency(hashtag->hashtag,
                     poll_urgency(signals, window.length, impl.config.poll_bounds.max_interval));
  }
  plan.pace(impl.config.hashtags, impl.config.poll_bounds,
            impl.ledger->budget.left(impl.config.max_credits_per_day, now), now);
}

std::int64_t Source::next_due() const {
  std::lock_guard lock(impl_->ledger->mutex);
  return impl_->ledger->plan.next_due(impl_->config.hashtags, impl_->clock->unix_seconds());
}

std::vector<PollStatus> Source::polls() const {
  const auto now = impl_->clock->unix_seconds();
  std::lock_guard lock(impl_->ledger->mutex);
  std::vector<PollStatus> polls;
  polls.reserve(impl_->config.hashtags.size());
  for (const auto& hashtag : impl_->config.hashtags) {
    polls.push_back({hashtag, impl_->ledger->plan.interval(hashtag, impl_->config.poll_bounds),
                     impl_->ledger->plan.due_at(hashtag, now)});
  }
  return polls;
}

}  // namespace hashtag_exporter
