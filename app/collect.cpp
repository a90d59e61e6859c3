#include "collect_progress.hpp"
#include "commands.hpp"
#include "interrupt_watch.hpp"

#include <hashtag_exporter/clock.hpp>
#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/report.hpp>
#include <hashtag_exporter/setup.hpp>

#include <unistd.h>

#include <iostream>

namespace hashtag_exporter::app {

int run_collect_once(const CommonOptions& options, const ReportCommandOptions& report) {
  // Both before any other thread starts (plugins and the HTTP client start theirs): the progress
  // takes over the log's sinks, and the watch blocks the signals for every thread. The watch's
  // action holds the sources, so they end with it, before the progress gives the sinks back.
  CollectProgress progress(isatty(STDERR_FILENO) == 1);
  InterruptWatch interrupts;
  try {
    const auto setup = prepare(options.config_file, default_plugin_path(), selected_shard(options));
    // Stops fetching, now and in the sources not yet collected; the rounds record what came.
    interrupts.on_interrupt([sources = setup.sources] {
      for (const auto& source : sources) source->cancel();
    });
    HistoryStore store(setup.config.storage_path);
    StateStore state;
    Collector collector(store, state, setup.config.growth_windows, setup.config.retention);
    collector.track(setup.tracked());
    std::vector<std::size_t> tracked;
    for (const auto& source : setup.sources) tracked.push_back(source->config().hashtags.size());
    progress.start(tracked);
    bool every_fetch_succeeded = true;
    for (std::size_t i = 0; i < setup.sources.size() && !interrupts.signal(); ++i) {
      const auto round = setup.sources[i]->collect(progress.source(i));
      every_fetch_succeeded = every_fetch_succeeded && round.failures.empty();
      collector.record(round);
    }
    const auto signal = interrupts.signal();
    progress.finish(signal);
    std::cout << format_report(
        *state.current(), {report.window, report.threshold_percent, system_clock().unix_seconds()});
    // A fetch costs credits and cannot be repeated for the past: cron must hear of a round that
    // was fetched but not kept.
    if (const auto unstored = collector.unstored_snapshots(); unstored > 0) {
      log::error("snapshots of this run were not stored",
                 {{"path", store.path().string()}, {"unstored", unstored}});
      return 1;
    }
    // The status of a process ended by the signal (README, "Exit codes"), once what came is kept.
    if (signal) return 128 + *signal;
    return every_fetch_succeeded ? 0 : 1;
  } catch (const std::exception& e) {
    log::error("collection failed", {{"err", e.what()}});
    return 1;
  }
}

}  // namespace hashtag_exporter::app
