#include "hashtags_json.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace hashtag_exporter::prometheus_exporter {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::map<std::string, double> baseline_medians(const HashtagState& hashtag) {
  std::map<std::string, double> medians;
  for (const auto& [window, baseline] : hashtag.videos_growth_baseline) {
    medians[window] = baseline.median_percent;
  }
  return medians;
}

nlohmann::json to_json(const HashtagState& hashtag) {
  const auto& latest = hashtag.latest;
  return {
      {"source", hashtag.source},
      {"hashtag", hashtag.hashtag},
      {"video_count", latest ? nlohmann::json(latest->video_count) : nlohmann::json(nullptr)},
      {"view_count", latest ? nlohmann::json(latest->view_count) : nlohmann::json(nullptr)},
      {"snapshot_timestamp", latest ? nlohmann::json(latest->timestamp) : nlohmann::json(nullptr)},
      {"up", hashtag.up},
      {"last_success_timestamp", or_null(hashtag.last_success_timestamp())},
      // A std::map becomes an object, also when empty: a window without growth is left out.
      {"videos_growth_percent", hashtag.videos_growth_percent},
      {"views_growth_percent", hashtag.views_growth_percent},
      {"videos_growth_baseline_percent", baseline_medians(hashtag)},
      {"breakout_score", hashtag.breakout_score},
      {"poll_interval_seconds", or_null(hashtag.poll_interval_seconds)},
      {"next_poll", or_null(hashtag.next_poll)},
      {"last_error",
       hashtag.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(hashtag.last_error)},
  };
}

}  // namespace

std::string hashtags_json(const ExporterState& state) {
  auto hashtags = nlohmann::json::array();
  for (const auto& hashtag : state.hashtags) hashtags.push_back(to_json(hashtag));
  // Replacing invalid UTF-8 (say, in an error text from an API) rather than throwing keeps the
  // endpoint answering.
  return nlohmann::json{{"hashtags", std::move(hashtags)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace hashtag_exporter::prometheus_exporter
