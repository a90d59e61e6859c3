#include "commands.hpp"

#include <hashtag_exporter/clock.hpp>
#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/logfmt.hpp>
#include <hashtag_exporter/report.hpp>
#include <hashtag_exporter/setup.hpp>

#include <spdlog/spdlog.h>

#include <iostream>

namespace hashtag_exporter::app {

int run_collect_once(const CommonOptions& options, const ReportCommandOptions& report) {
  try {
    const auto setup = prepare(options.config_file, default_plugin_path(), selected_shard(options));
    HistoryStore store(setup.config.storage_path);
    StateStore state;
    Collector collector(store, state, setup.config.growth_windows, setup.config.retention);
    collector.track(setup.tracked());
    bool every_fetch_succeeded = true;
    for (const auto& source : setup.sources) {
      const auto round = source->collect();
      every_fetch_succeeded = every_fetch_succeeded && round.failures.empty();
      collector.record(round);
    }
    std::cout << format_report(
        *state.current(), {report.window, report.threshold_percent, system_clock().unix_seconds()});
    // A fetch costs credits and cannot be repeated for the past: cron must hear of a round that
    // was fetched but not kept.
    if (const auto unstored = collector.unstored_snapshots(); unstored > 0) {
      spdlog::error("path={} unstored={} msg=\"snapshots of this run were not stored\"",
                    logfmt_quote(store.path().string()), unstored);
      return 1;
    }
    return every_fetch_succeeded ? 0 : 1;
  } catch (const std::exception& e) {
    spdlog::error("msg=\"collection failed\" err={}", logfmt_quote(e.what()));
    return 1;
  }
}

}  // namespace hashtag_exporter::app
