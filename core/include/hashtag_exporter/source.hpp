#pragma once

#include <hashtag_exporter/clock.hpp>
#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin_host.hpp>
#include <hashtag_exporter/poll_plan.hpp>
#include <hashtag_exporter/snapshot.hpp>
#include <hashtag_exporter/state.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hashtag_exporter {

struct CollectFailure {
  std::string hashtag;
  std::string reason;  // one of kFailureReasons
  std::string message;
};

// What one collection of one source produced.
struct CollectionRound {
  std::string source;
  std::int64_t started_at = 0;  // Unix seconds; the timestamp of every snapshot of the round
  double duration_seconds = 0;
  std::vector<Snapshot> snapshots;
  std::vector<CollectFailure> failures;
  // Not fetched this round: backing off after failures, or no credit budget left today.
  std::vector<std::string> suspended;
  // Without a result because the round was cancelled (Source::cancel) before theirs came: neither
  // a value nor a failure, so they are neither stored nor counted as errors nor backed off.
  std::vector<std::string> cancelled;
  std::optional<double> credits_remaining;
  // Credits this round spent as the budget counts them (CreditBudget: one per hashtag fetched,
  // one per request past that, retries included): what it adds to the never-reset total. Not a
  // difference of credits_spent_today, which starts again from 0 at 00:00 UTC.
  std::uint64_t credits_spent = 0;
  std::uint64_t credits_spent_today = 0;  // credits of this UTC day, the same way
  bool budget_exhausted = false;          // max_credits_per_day reached: paused until tomorrow
};

// How far a round has got: the hashtags it fetches and the results in so far.
struct RoundProgress {
  std::size_t planned = 0;  // fetched this round (the suspended ones are not)
  std::size_t fetched = 0;  // with a value
  std::size_t failed = 0;
};

// Called once when the round knows what it fetches, then after each hashtag's result; from
// whichever thread delivers the result (the collecting thread or an HTTP thread), one call at a
// time per round. It must return quickly: results wait behind it.
using ProgressCallback = std::function<void(const RoundProgress&)>;

// A configured source bound to an instance of its plugin. Collections of one source run one at a
// time; different sources may collect concurrently.
class Source {
 public:
  // Creates the plugin instance with the source's settings. A rejected setting throws ConfigError
  // at that setting's line. `clock` times the rounds and gives the plugin its "now".
  Source(const SourceConfig& config, std::shared_ptr<const LoadedPlugin> plugin,
         Clock& clock = system_clock());
  ~Source();
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  const SourceConfig& config() const;
  const PluginDescription& plugin() const;

  // Carries on from `previous`, the source of the same name in the configuration this one
  // replaces on a reload: the same credits spent today and the same failing hashtags, shared,
  // so that a round `previous` still runs counts against them too.
  void take_over(const Source& previous);

  // Collects every hashtag once (adaptive: every hashtag that is due), except those suspended:
  // failing hashtags back off (FailureBackoff) and once the day's credit budget is spent the rest
  // wait for the next UTC day (CreditBudget). A hashtag the plugin reported nothing for counts as
  // a bad response, so every other hashtag ends up with exactly one snapshot or failure, or, once
  // the round is cancelled, among the cancelled. `progress`, when set, hears of each result.
  CollectionRound collect(const ProgressCallback& progress = {});

  // An adaptive source: chooses each hashtag's next poll from what `state` shows of it after a
  // round, or at the start (PollPlan, poll_urgency): a hashtag it has not polled yet is due one
  // interval after its newest snapshot, or at once without one. Does nothing for a fixed one.
  void reschedule(const ExporterState& state);
  // An adaptive source: when the next round is due (Unix seconds), and each hashtag's interval
  // and next poll.
  std::int64_t next_due() const;
  std::vector<PollStatus> polls() const;

  // Makes a collection in progress give up, now and later (shutdown, reload): its outstanding
  // requests complete as cancelled and the plugin's hx_host.cancelled turns true, so that its own
  // blocking work (the exec plugin's program) stops too. Safe to call from any thread.
  void cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hashtag_exporter
