#include "commands.hpp"

#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/import.hpp>
#include <hashtag_exporter/store.hpp>
#include <hashtag_exporter/time_format.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace hashtag_exporter::app {
int run_history(const CommonOptions& options, const HistoryCommandOptions& history) {
  const auto hashtag = normalise_hashtag(history.hashtag);
  if (hashtag.empty()) {
    std::cerr << "--hashtag: \"" << history.hashtag << "\" is not a valid hashtag\n";
    return 1;
  }
  try {
    const auto config = load_config(options.config_file);
    const HistoryStore store(config.storage_path);
    const auto snapshots = store.history(hashtag, history.source);
    if (history.format == "json") {
      auto rows = nlohmann::json::array();
      for (const auto& s : snapshots) {
        rows.push_back({{"timestamp", format_rfc3339(s.timestamp)},
                        {"source", s.source},
                        {"hashtag", s.hashtag},
                        {"video_count", s.video_count},
                        {"view_count", s.view_count}});
      }
      // A source or hashtag stored before imports were validated may not be UTF-8; it is shown
      // with U+FFFD rather than failing the whole listing.
      std::cout << rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (history.format == "csv") {
      std::cout << kSnapshotCsvHeader << "\n";
      for (const auto& s : snapshots) std::cout << snapshot_csv_record(s);
    } else {
      std::cout << fmt::format("{:<21} {:<12} {:<20} {:>14} {:>16}\n", "TIMESTAMP", "SOURCE",
                               "HASHTAG", "VIDEOS", "VIEWS");
      for (const auto& s : snapshots) {
        std::cout << fmt::format("{:<21} {:<12} {:<20} {:>14} {:>16}\n",
                                 format_rfc3339(s.timestamp), s.source, s.hashtag, s.video_count,
                                 s.view_count);
      }
    }
    if (snapshots.empty()) std::cerr << "no snapshots of #" << hashtag << " stored\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

}  // namespace hashtag_exporter::app
