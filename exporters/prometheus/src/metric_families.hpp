#pragma once

// Every metric family of the exposition, defined once: name, HELP, type, labels and how its
// samples are read. The direct text writer (hashtag_text.cpp), the prometheus-cpp families
// (state_families.cpp), the prometheus-cpp reference of the tests and the README's metric table
// (checked by tests/exporters/metric_families_test.cpp) all come from these tables.

#include <hashtag_exporter/prometheus/exposition.hpp>
#include <hashtag_exporter/state.hpp>

#include "process_metrics.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>

namespace hashtag_exporter::prometheus_exporter {

enum class MetricType { gauge, counter };

// Label values of one series, in the order of the family's label names.
template <std::size_t N>
using LabelValues = std::array<std::string_view, N>;

// A family whose series are read from each `Scope` (a hashtag, a source, the whole state). For
// each one, `read(scope, sample)` calls `sample(label_values, value)` once per series; a family
// that gets no sample is left out of the exposition.
template <class Scope, std::size_t N, class Read>
struct Family {
  using ScopeType = Scope;
  static constexpr std::size_t kLabels = N;

  std::string_view name;
  std::string_view help;
  MetricType type;
  std::array<std::string_view, N> labels;
  Read read;
};

template <class Scope, std::size_t N, class Read>
constexpr Family<Scope, N, Read> family(std::string_view name, std::string_view help,
                                        MetricType type, const std::string_view (&labels)[N],
                                        Read read) {
  return {name, help, type, std::to_array(labels), read};
}

template <class Scope, class Read>
constexpr Family<Scope, 0, Read> family(std::string_view name, std::string_view help,
                                        MetricType type, Read read) {
  return {name, help, type, {}, read};
}

// What the exposition says about itself: the build, and the cost of its previous rendering (0
// in the first one), since a rendering cannot measure itself.
struct ExpositionInfo {
  BuildInfo build;
  double previous_render_seconds = 0;
  double previous_body_bytes = 0;
};

// Per hashtag: most of the series, written directly by append_hashtag_families.
inline constexpr auto kHashtagFamilies = std::tuple{
    family<HashtagState>(
        "hashtag_videos", "Video count of the hashtag at the last successful collection.",
        MetricType::gauge, {"source", "hashtag"},
        [](const HashtagState& h, const auto& sample) {
          if (h.latest) sample({h.source, h.hashtag}, static_cast<double>(h.latest->video_count));
        }),
    family<HashtagState>(
        "hashtag_views", "View count of the hashtag at the last successful collection.",
        MetricType::gauge, {"source", "hashtag"},
        [](const HashtagState& h, const auto& sample) {
          if (h.latest) sample({h.source, h.hashtag}, static_cast<double>(h.latest->view_count));
        }),
    family<HashtagState>(
        "hashtag_videos_growth_percent",
        "Growth of the video count over the window in percent (5 means +5 %), as of the last "
        "collection.",
        MetricType::gauge, {"source", "hashtag", "window"},
        [](const HashtagState& h, const auto& sample) {
          for (const auto& [window, percent] : h.videos_growth_percent) {
            sample({h.source, h.hashtag, window}, percent);
          }
        }),
    family<HashtagState>(
        "hashtag_views_growth_percent",
        "Growth of the view count over the window in percent (5 means +5 %), as of the last "
        "collection.",
        MetricType::gauge, {"source", "hashtag", "window"},
        [](const HashtagState& h, const auto& sample) {
          for (const auto& [window, percent] : h.views_growth_percent) {
            sample({h.source, h.hashtag, window}, percent);
          }
        }),
    family<HashtagState>(
        "hashtag_videos_growth_baseline_percent",
        "The hashtag's own typical video growth over the window in percent: the median over its "
        "last 28 days (absent with under 7 days of history).",
        MetricType::gauge, {"source", "hashtag", "window"},
        [](const HashtagState& h, const auto& sample) {
          for (const auto& [window, baseline] : h.videos_growth_baseline) {
            sample({h.source, h.hashtag, window}, baseline.median_percent);
          }
        }),
    family<HashtagState>(
        "hashtag_breakout_score",
        "How far the video growth over the window stands above the hashtag's baseline, in robust "
        "standard deviations: (growth - median) / (1.4826 * MAD).",
        MetricType::gauge, {"source", "hashtag", "window"},
        [](const HashtagState& h, const auto& sample) {
          for (const auto& [window, score] : h.breakout_score) {
            sample({h.source, h.hashtag, window}, score);
          }
        }),
    family<HashtagState>(
        "hashtag_poll_interval_seconds",
        "The interval the scheduler currently uses for the hashtag: the source's fixed interval, "
        "or the adaptive schedule's choice.",
        MetricType::gauge, {"source", "hashtag"},
        [](const HashtagState& h, const auto& sample) {
          if (h.poll_interval_seconds) {
            sample({h.source, h.hashtag}, static_cast<double>(*h.poll_interval_seconds));
          }
        }),
    family<HashtagState>(
        "hashtag_up",
        "1 if the last fetch of the hashtag succeeded, else 0, as of the last collection.",
        MetricType::gauge, {"source", "hashtag"},
        [](const HashtagState& h, const auto& sample) {
          sample({h.source, h.hashtag}, h.up ? 1 : 0);
        }),
    family<HashtagState>(
        "hashtag_last_success_timestamp_seconds",
        "Unix time of the last successful fetch of the hashtag, as of the last collection.",
        MetricType::gauge, {"source", "hashtag"},
        [](const HashtagState& h, const auto& sample) {
          if (const auto timestamp = h.last_success_timestamp()) {
            sample({h.source, h.hashtag}, static_cast<double>(*timestamp));
          }
        }),
    family<HashtagState>(
        "hashtag_growth_alert_threshold_percent",
        "Growth in percent (of videos or views) above which the hashtag's growth alerts fire, "
        "from the configuration.",
        MetricType::gauge, {"source", "hashtag"},
        [](const HashtagState& h, const auto& sample) {
          sample({h.source, h.hashtag}, h.alert_threshold_percent);
        }),
};

// Per source, through prometheus-cpp.
inline constexpr auto kSourceFamilies = std::tuple{
    family<SourceState>(
        "hashtag_collect_errors_total",
        "Failed fetches of the source by reason, counted up to the last collection.",
        MetricType::counter, {"source", "reason"},
        [](const SourceState& s, const auto& sample) {
          // Every reason is exported from the start, so that rate() sees the first failure.
          for (const char* reason : kFailureReasons) {
            const auto count = s.errors_by_reason.find(reason);
            sample({s.name(), reason},
                   count == s.errors_by_reason.end() ? 0 : static_cast<double>(count->second));
          }
        }),
    family<SourceState>("hashtag_fetches_total",
                        "Hashtag fetches of the source attempted (each got a value or a failure), "
                        "counted up to the last collection.",
                        MetricType::counter, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          sample({s.name()}, static_cast<double>(s.fetches));
                        }),
    family<SourceState>("hashtag_collect_duration_seconds",
                        "How long the last collection round of the source took.", MetricType::gauge,
                        {"source"},
                        [](const SourceState& s, const auto& sample) {
                          if (s.last_collect_duration_seconds) {
                            sample({s.name()}, *s.last_collect_duration_seconds);
                          }
                        }),
    // Staleness alerts multiply it: for an adaptive source, the longest it leaves a hashtag.
    family<SourceState>("hashtag_collect_interval_seconds",
                        "Configured interval between two collections of a hashtag of the source: "
                        "interval, or max_interval for an adaptive schedule.",
                        MetricType::gauge, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          const auto interval = s.config->schedule == ScheduleKind::adaptive
                                                    ? s.config->poll_bounds.max_interval
                                                    : s.config->interval;
                          if (interval.count() > 0) {
                            sample({s.name()}, static_cast<double>(interval.count()));
                          }
                        }),
    family<SourceState>("hashtag_source_credits_remaining",
                        "Remaining API credits of the source, as reported at the last collection.",
                        MetricType::gauge, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          if (s.credits_remaining) sample({s.name()}, *s.credits_remaining);
                        }),
    family<SourceState>("hashtag_source_credits_spent_today",
                        "API requests of the source during this UTC day, retries included, as "
                        "of the last collection.",
                        MetricType::gauge, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          sample({s.name()}, static_cast<double>(s.credits_spent_today));
                        }),
    family<SourceState>("hashtag_source_credits_spent_total",
                        "API requests of the source, retries included, counted up to the last "
                        "collection; unlike the daily gauge, never reset at 00:00 UTC.",
                        MetricType::counter, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          sample({s.name()}, static_cast<double>(s.credits_spent));
                        }),
    family<SourceState>("hashtag_source_credit_budget",
                        "Daily credit budget of the source (max_credits_per_day).",
                        MetricType::gauge, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          if (s.config->max_credits_per_day > 0) {
                            sample({s.name()}, static_cast<double>(s.config->max_credits_per_day));
                          }
                        }),
    family<SourceState>("hashtag_source_credit_budget_exhausted",
                        "1 if the daily credit budget was spent at the last collection and "
                        "collection pauses until 00:00 UTC, else 0.",
                        MetricType::gauge, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          sample({s.name()}, s.budget_exhausted ? 1 : 0);
                        }),
    family<SourceState>("hashtag_source_suspended_hashtags",
                        "Hashtags that sat out the last collection: backing off after failures "
                        "or waiting for credit budget.",
                        MetricType::gauge, {"source"},
                        [](const SourceState& s, const auto& sample) {
                          sample({s.name()}, static_cast<double>(s.suspended_hashtags));
                        }),
    family<SourceState>(
        "hashtag_exporter_plugin_info",
        "Plugin that collects the source, as loaded for the last collection; always 1.",
        MetricType::gauge, {"source", "plugin", "version", "abi_version"},
        [](const SourceState& s, const auto& sample) {
          sample({s.name(), s.plugin.name, s.plugin.version, std::to_string(s.plugin.abi_version)},
                 1);
        }),
};

// The exporter's own, one series each (or none), through prometheus-cpp.
inline constexpr auto kExporterFamilies = std::tuple{
    family<ExporterState>("hashtag_exporter_config_last_reload_successful",
                          "1 if the last configuration reload succeeded, else 0.",
                          MetricType::gauge,
                          [](const ExporterState& e, const auto& sample) {
                            sample({}, e.config_last_reload_successful ? 1 : 0);
                          }),
    family<ExporterState>(
        "hashtag_exporter_config_last_reload_success_timestamp_seconds",
        "Unix time of the last successful configuration (re)load.", MetricType::gauge,
        [](const ExporterState& e, const auto& sample) {
          if (e.config_last_reload_success_timestamp) {
            sample({}, static_cast<double>(*e.config_last_reload_success_timestamp));
          }
        }),
    family<ExporterState>("hashtag_exporter_storage_errors_total",
                          "Collection rounds that could not be written to the history (read-only "
                          "or full disk, locked too long); their snapshots are kept in memory and "
                          "written with the next round.",
                          MetricType::counter,
                          [](const ExporterState& e, const auto& sample) {
                            sample({}, static_cast<double>(e.storage_errors));
                          }),
    family<ExporterState>("hashtag_exporter_unstored_snapshots",
                          "Snapshots collected but not yet written to the history, held in "
                          "memory until a round can be stored.",
                          MetricType::gauge,
                          [](const ExporterState& e, const auto& sample) {
                            sample({}, static_cast<double>(e.unstored_snapshots));
                          }),
    family<ExporterState>("hashtag_exporter_unstored_snapshots_dropped_total",
                          "Collected snapshots given up unwritten because more were waiting for "
                          "the history to be writable than the exporter keeps in memory.",
                          MetricType::counter,
                          [](const ExporterState& e, const auto& sample) {
                            sample({}, static_cast<double>(e.unstored_snapshots_dropped));
                          }),
    family<ExporterState>("hashtag_exporter_retention_errors_total",
                          "Retention runs that failed to delete snapshots older than "
                          "storage.retention from the history.",
                          MetricType::counter,
                          [](const ExporterState& e, const auto& sample) {
                            sample({}, static_cast<double>(e.retention_errors));
                          }),
    family<ExporterState>(
        "hashtag_exporter_shard_info",
        "The part of the configured hashtags this exporter owns; always 1.", MetricType::gauge,
        {"index", "count"},
        [](const ExporterState& e, const auto& sample) {
          sample({std::to_string(e.shard.index), std::to_string(e.shard.count)}, 1);
        }),
};

// What the exposition says about itself; last, after every family of the state.
inline constexpr auto kExpositionFamilies = std::tuple{
    family<ExpositionInfo>("hashtag_exporter_build_info",
                           "Version and revision hashtag_exporter was built from; always 1.",
                           MetricType::gauge, {"revision", "version"},
                           [](const ExpositionInfo& e, const auto& sample) {
                             sample({e.build.revision, e.build.version}, 1);
                           }),
    family<ExpositionInfo>(
        "hashtag_exporter_render_duration_seconds",
        "How long the previous rendering of this exposition in the text "
        "format took (0 in the first one); it is rendered once per "
        "collection, not per scrape, and gzip-compressed once.",
        MetricType::gauge,
        [](const ExpositionInfo& e, const auto& sample) { sample({}, e.previous_render_seconds); }),
    family<ExpositionInfo>(
        "hashtag_exporter_exposition_bytes",
        "Uncompressed size of the previous rendering of this exposition (0 in "
        "the first one).",
        MetricType::gauge,
        [](const ExpositionInfo& e, const auto& sample) { sample({}, e.previous_body_bytes); }),
};

// The process collector of the Prometheus client libraries: the names, types and HELP texts of
// client_golang and client_python, so that their dashboards and alerts work unchanged. Read at
// each scrape, after every family above.
inline constexpr auto kProcessFamilies = std::tuple{
    family<ProcessMetrics>("process_cpu_seconds_total",
                           "Total user and system CPU time spent in seconds.", MetricType::counter,
                           [](const ProcessMetrics& p, const auto& sample) {
                             if (p.cpu_seconds) sample({}, *p.cpu_seconds);
                           }),
    family<ProcessMetrics>("process_open_fds", "Number of open file descriptors.",
                           MetricType::gauge,
                           [](const ProcessMetrics& p, const auto& sample) {
                             if (p.open_fds) sample({}, *p.open_fds);
                           }),
    family<ProcessMetrics>("process_max_fds", "Maximum number of open file descriptors.",
                           MetricType::gauge,
                           [](const ProcessMetrics& p, const auto& sample) {
                             if (p.max_fds) sample({}, *p.max_fds);
                           }),
    family<ProcessMetrics>("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                           MetricType::gauge,
                           [](const ProcessMetrics& p, const auto& sample) {
                             if (p.virtual_memory_bytes) sample({}, *p.virtual_memory_bytes);
                           }),
    family<ProcessMetrics>("process_resident_memory_bytes", "Resident memory size in bytes.",
                           MetricType::gauge,
                           [](const ProcessMetrics& p, const auto& sample) {
                             if (p.resident_memory_bytes) sample({}, *p.resident_memory_bytes);
                           }),
    family<ProcessMetrics>("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds.",
                           MetricType::gauge,
                           [](const ProcessMetrics& p, const auto& sample) {
                             if (p.start_time_seconds) sample({}, *p.start_time_seconds);
                           }),
};

// Calls `visit(family)` for every family of `families`, in order.
template <class Families, class Visit>
constexpr void for_each_family(const Families& families, const Visit& visit) {
  std::apply([&](const auto&... each) { (visit(each), ...); }, families);
}

}  // namespace hashtag_exporter::prometheus_exporter
