#include "commands.hpp"

#include <hashtag_exporter/clock.hpp>
#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/report.hpp>
#include <hashtag_exporter/setup.hpp>

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
      log::error("snapshots of this run were not stored",
                 {{"path", store.path().string()}, {"unstored", unstored}});
      return 1;
    }
    return every_fetch_succeeded ? 0 : 1;
  } catch (const std::exception& e) {
    log::error("collection failed", {{"err", e.what()}});
    return 1;
  }
}

}  // namespace hashtag_exporter::app
