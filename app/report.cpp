#include "commands.hpp"

#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin/sdk.hpp>
#include <hashtag_exporter/report.hpp>

#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <vector>

namespace hashtag_exporter::app {

int run_report(const CommonOptions& options, const ReportCommandOptions& report) {
  const auto window_length = sdk::parse_duration(report.window);
  if (!window_length || window_length->count() < 1000) {
    std::cerr << "--window: expected a duration such as 1d or 7d, got \"" << report.window
              << "\"\n";
    return 1;
  }
  try {
    const auto config = load_config(options.config_file);
    HistoryStore store(config.storage_path);
    StateStore state;
    Collector collector(
        store, state,
        {{report.window, std::chrono::duration_cast<std::chrono::seconds>(*window_length)}},
        std::chrono::seconds(0));
    // Everything in the history, not only what the config tracks now.
    std::map<std::string, SourceConfig> sources;
    for (const auto& snapshot : store.latest()) {
      auto& source = sources[snapshot.source];
      source.name = snapshot.source;
      source.hashtags.push_back(snapshot.hashtag);
    }
    for (const auto& configured : config.sources) {
      if (sources.contains(configured.name)) {
        sources[configured.name].alert_threshold_percent = configured.alert_threshold_percent;
      }
    }
    std::vector<SourceState> tracked;
    for (auto& [name, source] : sources) {
      tracked.emplace_back(std::make_shared<const SourceConfig>(std::move(source)));
    }
    collector.track(std::move(tracked));
    std::cout << format_report(*state.current(),
                               {report.window, report.threshold_percent, std::time(nullptr),
                                *parse_report_format(report.format)});
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

}  // namespace hashtag_exporter::app
