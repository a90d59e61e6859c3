// The replay benchmark (README, "Spending credits wisely"): the real scheduler, collector, growth
// code and SQLite store, driven by a simulated clock through a seeded trace, once per polling
// strategy. Prints one table comparing adaptive polling with fixed 1h, 6h and 24h.
//
//   build/bench/hashtag_exporter_replay_bench                      # 1,000 hashtags, 30 days
//   build/bench/hashtag_exporter_replay_bench --hashtags 100 --days 14 --smoke
#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/plugin_host.hpp>
#include <hashtag_exporter/scheduler.hpp>
#include <hashtag_exporter/source.hpp>
#include <hashtag_exporter/store.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "simulated_clock.hpp"
#include "trace.hpp"

namespace hashtag_exporter::replay {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kDay = 86400;
constexpr double kThreshold = 5;             // the growth alert's threshold, as in the mixin
constexpr double kBreakoutScoreAtLeast = 3;  // the breakout alert's score, as in the mixin
const GrowthWindow kOneDay{"1d", 24h};

struct Strategy {
  std::string label;
  ScheduleKind schedule = ScheduleKind::fixed;
  std::chrono::seconds interval{0};   // fixed
  std::uint64_t credits_per_day = 0;  // adaptive
};

// What one strategy showed over the whole trace.
struct Outcome {
  double credits_per_day = 0;
  std::vector<double> delays_hours;  // per detected breakout
  int breakouts_seen = 0;            // whose true growth crossed 5 % within the trace
  int missed = 0;
  int breakouts_alerted = 0;
  std::map<Kind, int> growth_alerts;  // firings, per kind of hashtag
  std::map<Kind, int> breakout_alerts;
  std::vector<double> growth_errors;  // |exported − true| 1d growth at each poll, points
  double seconds = 0;
};

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

// When the true day-over-day growth of a breakout first exceeds the threshold (none if not
// within the trace).
std::optional<std::int64_t> true_crossing(const Trace& trace, std::size_t index) {
  const auto& hashtag = trace.hashtags()[index];
  for (auto t = hashtag.breakout_start; t < trace.end(); t += 60) {
    if (trace.day_over_day_percent(index, t) > kThreshold) return t;
  }
  return std::nullopt;
}

// Watches the state after every round: polls, alert transitions, detection and error.
class Observer {
 public:
  Observer(const Trace& trace, const StateStore& state) : trace_(trace), state_(state) {
    for (std::size_t i = 0; i < trace.hashtags().size(); ++i) {
      index_[trace.hashtags()[i].name] = i;
      if (trace.hashtags()[i].kind == Kind::breakout) crossing_[i] = true_crossing(trace, i);
    }
    seen_.assign(trace.hashtags().size(), 0);
    growth_alert_.assign(seen_.size(), false);
    breakout_alert_.assign(seen_.size(), false);
  }

  void operator()(std::int64_t) {
    const auto current = state_.current();
    for (const auto& entry : current->hashtags) {
      if (!entry.latest) continue;
      const auto i = index_.at(entry.hashtag);
      if (entry.latest->timestamp <= seen_[i]) continue;
      seen_[i] = entry.latest->timestamp;
      ++polls_;
      on_poll(i, entry);
    }
  }

  Outcome outcome(double days) const {
    Outcome result = outcome_;
    result.credits_per_day = static_cast<double>(polls_) / days;
    for (const auto& [i, crossing] : crossing_) {
      if (!crossing) continue;
      ++result.breakouts_seen;
      const auto detected = detected_.find(i);
      if (detected == detected_.end()) {
        ++result.missed;
      } else {
        result.delays_hours.push_back(static_cast<double>(detected->second - *crossing) / 3600);
      }
      result.breakouts_alerted += alerted_.contains(i);
    }
    return result;
  }

 private:
  void on_poll(std::size_t i, const HashtagState& entry) {
    const auto t = entry.latest->timestamp;
    const auto& hashtag = trace_.hashtags()[i];
    const auto growth = entry.videos_growth_percent.find("1d");
    if (growth == entry.videos_growth_percent.end()) return;
    outcome_.growth_errors.push_back(std::abs(growth->second - trace_.day_over_day_percent(i, t)));
    const bool growing = growth->second > kThreshold;
    const auto score = entry.breakout_score.find("1d");
    const bool breaking_out =
        growing && score != entry.breakout_score.end() && score->second >= kBreakoutScoreAtLeast;
    if (growing && !growth_alert_[i]) ++outcome_.growth_alerts[hashtag.kind];
    if (breaking_out && !breakout_alert_[i]) ++outcome_.breakout_alerts[hashtag.kind];
    growth_alert_[i] = growing;
    breakout_alert_[i] = breaking_out;
    if (hashtag.kind == Kind::breakout && t >= hashtag.breakout_start) {
      if (growing && !detected_.contains(i)) detected_[i] = t;
      if (breaking_out) alerted_.insert(i);
    }
  }

  const Trace& trace_;
  const StateStore& state_;
  std::map<std::string, std::size_t> index_;
  std::map<std::size_t, std::optional<std::int64_t>> crossing_;
  std::map<std::size_t, std::int64_t> detected_;
  std::set<std::size_t> alerted_;
  std::vector<std::int64_t> seen_;
  std::vector<bool> growth_alert_;
  std::vector<bool> breakout_alert_;
  std::uint64_t polls_ = 0;
  Outcome outcome_;
};

Outcome run_strategy(const Trace& trace, const Strategy& strategy,
                     const std::filesystem::path& plugin, const std::filesystem::path& work_dir) {
  const auto started = std::chrono::steady_clock::now();
  const auto folder = work_dir / ("hx_replay_" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  Outcome result;
  {
    HistoryStore store(folder / "history.db");
    StateStore state;
    Observer observer(trace, state);
    SimulatedClock clock(trace.shape().start, trace.end(),
                         [&](std::int64_t now) { observer(now); });

    SourceConfig config;
    config.name = "replay";
    config.plugin = "replay";
    config.schedule = strategy.schedule;
    if (strategy.schedule == ScheduleKind::fixed) config.interval = strategy.interval;
    config.max_credits_per_day = strategy.credits_per_day;
    config.poll_bounds = {.min_interval = 15min, .max_interval = 12h};
    config.watched_window = kOneDay;
    for (const auto& hashtag : trace.hashtags()) {
      config.hashtags.push_back(hashtag.name);
      config.alert_threshold_percent[hashtag.name] = kThreshold;
    }
    config.settings_json = nlohmann::json{
        {"seed", trace.shape().seed},
        {"hashtags", trace.shape().hashtags},
        {"days", trace.shape().days},
        {"start",
         trace.shape().start}}.dump();
    const auto loaded = LoadedPlugin::load(plugin);
    auto source = std::make_shared<Source>(config, loaded, clock);
    Collector collector(store, state, {kOneDay}, 0s);
    collector.track(
        {SourceState(std::make_shared<const SourceConfig>(config), loaded->description())});
    Scheduler scheduler({source}, collector, clock);
    clock.wait_until_finished();
    scheduler.stop();
    result = observer.outcome(static_cast<double>(trace.shape().days));
  }
  std::filesystem::remove_all(folder);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

// Firings on hashtags of `kind` (none counted: 0).
int firings(const std::map<Kind, int>& by_kind, Kind kind) {
  const auto found = by_kind.find(kind);
  return found == by_kind.end() ? 0 : found->second;
}

void print_table(const Trace& trace, const std::vector<Strategy>& strategies,
                 const std::vector<Outcome>& outcomes) {
  const auto& shape = trace.shape();
  int counts[3] = {};
  for (const auto& hashtag : trace.hashtags()) ++counts[static_cast<int>(hashtag.kind)];
  std::cout << fmt::format(
      "replay: {} hashtags ({} steady, {} always fast, {} breakouts), {} days, seed {}\n"
      "alerts: growth = 1d growth > {}%; breakout = that and breakout score >= {}; counted as "
      "firings (not firing -> firing) at polls, per day\n\n",
      shape.hashtags, counts[0], counts[1], counts[2], shape.days, shape.seed, kThreshold,
      kBreakoutScoreAtLeast);
  std::cout << fmt::format(
      "{:<22} {:>11} {:>9} {:>9} {:>7} {:>13} {:>13} {:>13} {:>13} {:>9} {:>10} {:>7}\n",
      "strategy", "credits/day", "delay p50", "delay p90", "missed", "growth: fast", "growth: stdy",
      "brkout: fast", "brkout: stdy", "found", "1d err p50", "run");
  for (std::size_t s = 0; s < strategies.size(); ++s) {
    const auto& o = outcomes[s];
    const auto rate = [&](const std::map<Kind, int>& by_kind, Kind kind) {
      return static_cast<double>(firings(by_kind, kind)) / shape.days;
    };
    std::cout << fmt::format(
        "{:<22} {:>11.0f} {:>8.2f}h {:>8.2f}h {:>7} {:>13.2f} {:>13.2f} {:>13.2f} {:>13.2f} "
        "{:>4}/{:<4} {:>8.4f}pp {:>6.0f}s\n",
        strategies[s].label, o.credits_per_day, quantile(o.delays_hours, 0.5),
        quantile(o.delays_hours, 0.9), o.missed, rate(o.growth_alerts, Kind::fast),
        rate(o.growth_alerts, Kind::steady), rate(o.breakout_alerts, Kind::fast),
        rate(o.breakout_alerts, Kind::steady), o.breakouts_alerted, o.breakouts_seen,
        quantile(o.growth_errors, 0.5), o.seconds);
  }
}

// The targets, each with whether this run met it.
bool print_targets(const std::vector<Outcome>& o, int days) {
  // Order of the strategies: fixed 1h, 6h, 24h, adaptive at fixed 6h's credits, adaptive at a
  // quarter of fixed 1h's.
  const auto median = [](const Outcome& outcome) { return quantile(outcome.delays_hours, 0.5); };
  const auto others = static_cast<double>(firings(o[3].breakout_alerts, Kind::fast) +
                                          firings(o[3].breakout_alerts, Kind::steady));
  struct Target {
    std::string what;
    std::string measured;
    bool met;
  };
  const std::vector<Target> targets{
      {"adaptive (6h's credits): median delay <= fixed 6h's / 4",
       fmt::format("{:.2f}h vs {:.2f}h / 4 = {:.2f}h", median(o[3]), median(o[1]),
                   median(o[1]) / 4),
       median(o[3]) <= median(o[1]) / 4},
      {"adaptive (25% of 1h's credits): median delay within 20% of fixed 1h's",
       fmt::format("{:.2f}h vs {:.2f}h, {:.0f} vs {:.0f} credits/day", median(o[4]), median(o[0]),
                   o[4].credits_per_day, o[0].credits_per_day),
       median(o[4]) <= median(o[0]) * 1.2 && o[4].credits_per_day <= o[0].credits_per_day / 4 + 1},
      {"breakout alerts (adaptive, 6h's credits) find >= 95% of the breakouts",
       fmt::format("{}/{}", o[3].breakouts_alerted, o[3].breakouts_seen),
       o[3].breakouts_alerted >= 0.95 * o[3].breakouts_seen},
      {"breakout alerts (adaptive, 6h's credits): < 1 false alarm/day on the others",
       fmt::format("{:.2f}/day", others / days), others / days < 1},
  };
  bool all = true;
  std::cout << "\ntargets:\n";
  for (const auto& target : targets) {
    std::cout << fmt::format("  [{}] {}: {}\n", target.met ? "met" : "NOT MET", target.what,
                             target.measured);
    all = all && target.met;
  }
  bool exact = true;
  for (const auto& outcome : o) exact = exact && quantile(outcome.growth_errors, 0.5) < 0.1;
  std::cout << fmt::format("  [{}] median 1d growth error < 0.1 points at every strategy\n",
                           exact ? "met" : "NOT MET");
  return all && exact;
}

}  // namespace
}  // namespace hashtag_exporter::replay

int main(int argc, char** argv) {
  using namespace hashtag_exporter;
  using namespace hashtag_exporter::replay;
  CLI::App app{"Replays a seeded trace through the real collection engine, once per strategy."};
  TraceShape shape;
  std::string plugin = HX_REPLAY_PLUGIN;
  std::string work_dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
  bool smoke = false;
  app.add_option("--seed", shape.seed, "trace seed (printed with the table)");
  app.add_option("--hashtags", shape.hashtags, "hashtags in the trace")
      ->check(CLI::Range(20, 100'000));
  app.add_option("--days", shape.days, "days in the trace")->check(CLI::Range(9, 365));
  app.add_option("--plugin", plugin, "the replay plugin");
  app.add_option("--work-dir", work_dir, "where the history databases go");
  app.add_flag("--smoke", smoke, "check that every figure is measured; never fail on a target");
  CLI11_PARSE(app, argc, argv);

  const Trace trace(shape);
  // Fixed 6h's and a quarter of fixed 1h's credits, for adaptive.
  const auto hashtags = static_cast<std::uint64_t>(shape.hashtags);
  const std::vector<Strategy> strategies{
      {"fixed 1h", ScheduleKind::fixed, 1h, 0},
      {"fixed 6h", ScheduleKind::fixed, 6h, 0},
      {"fixed 24h", ScheduleKind::fixed, 24h, 0},
      {fmt::format("adaptive {}/day", hashtags * 4), ScheduleKind::adaptive, 0s, hashtags * 4},
      {fmt::format("adaptive {}/day", hashtags * 6), ScheduleKind::adaptive, 0s, hashtags * 6},
  };
  std::vector<Outcome> outcomes;
  for (const auto& strategy : strategies) {
    std::cerr << "replaying " << strategy.label << "...\n";
    outcomes.push_back(run_strategy(trace, strategy, plugin, work_dir));
  }
  print_table(trace, strategies, outcomes);
  const bool met = print_targets(outcomes, shape.days);
  if (smoke) {
    for (const auto& outcome : outcomes) {
      if (outcome.growth_errors.empty() || outcome.credits_per_day <= 0) {
        std::cerr << "smoke: a strategy measured nothing\n";
        return 1;
      }
    }
    for (std::size_t s = 3; s < outcomes.size(); ++s) {
      if (outcomes[s].credits_per_day > static_cast<double>(strategies[s].credits_per_day)) {
        std::cerr << "smoke: " << strategies[s].label << " spent more than its budget\n";
        return 1;
      }
    }
    return 0;
  }
  return met ? 0 : 1;
}
