#include "state_families.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_type.h>

#include <string>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using Labels = std::vector<prometheus::ClientMetric::Label>;

prometheus::MetricFamily family(std::string name, std::string help,
                                prometheus::MetricType type = prometheus::MetricType::Gauge) {
  return {std::move(name), std::move(help), type, {}};
}

void add_gauge(prometheus::MetricFamily& to, Labels labels, double value) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  to.metric.push_back(std::move(metric));
}

void add_counter(prometheus::MetricFamily& to, Labels labels, double value) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  to.metric.push_back(std::move(metric));
}

Labels source_labels(const SourceState& source) { return {{"source", source.name()}}; }

// Moves the families into a vector. A braced list would copy them (the elements of an
// initializer_list are const).
template <class... Families>
std::vector<prometheus::MetricFamily> moved_families(Families&&... families) {
  std::vector<prometheus::MetricFamily> out;
  out.reserve(sizeof...(families));
  (out.push_back(std::move(families)), ...);
  return out;
}

std::vector<prometheus::MetricFamily> source_families(const std::vector<SourceState>& sources) {
  auto errors = family("hashtag_collect_errors_total",
                       "Failed fetches of the source by reason, counted up to the last "
                       "collection.",
                       prometheus::MetricType::Counter);
  auto duration = family("hashtag_collect_duration_seconds",
                         "How long the last collection round of the source took.");
  auto credits = family("hashtag_source_credits_remaining",
                        "Remaining API credits of the source, as reported at the last "
                        "collection.");
  auto spent = family("hashtag_source_credits_spent_today",
                      "API requests of the source during this UTC day, retries included, as of "
                      "the last collection.");
  auto budget = family("hashtag_source_credit_budget",
                       "Daily credit budget of the source (max_credits_per_day).");
  auto exhausted = family("hashtag_source_credit_budget_exhausted",
                          "1 if the daily credit budget was spent at the last collection and "
                          "collection pauses until 00:00 UTC, else 0.");
  auto suspended = family("hashtag_source_suspended_hashtags",
                          "Hashtags that sat out the last collection: backing off after failures "
                          "or waiting for credit budget.");
  auto interval = family("hashtag_collect_interval_seconds",
                         "Configured interval between two collection rounds of the source.");
  auto plugin_info = family("hashtag_exporter_plugin_info",
                            "Plugin that collects the source, as loaded for the last "
                            "collection; always 1.");
  for (const auto& source : sources) {
    // Every reason is exported from the start, so that rate() sees the first failure.
    for (const char* reason : kFailureReasons) {
      const auto count = source.errors_by_reason.find(reason);
      add_counter(errors, {{"source", source.name()}, {"reason", reason}},
                  count == source.errors_by_reason.end() ? 0 : static_cast<double>(count->second));
    }
    if (source.last_collect_duration_seconds) {
      add_gauge(duration, source_labels(source), *source.last_collect_duration_seconds);
    }
    add_gauge(spent, source_labels(source), static_cast<double>(source.credits_spent_today));
    if (source.config->max_credits_per_day > 0) {
      add_gauge(budget, source_labels(source),
                static_cast<double>(source.config->max_credits_per_day));
    }
    add_gauge(exhausted, source_labels(source), source.budget_exhausted ? 1 : 0);
    add_gauge(suspended, source_labels(source), static_cast<double>(source.suspended_hashtags));
    if (source.config->interval.count() > 0) {
      add_gauge(interval, source_labels(source),
                static_cast<double>(source.config->interval.count()));
    }
    if (source.credits_remaining) {
      add_gauge(credits, source_labels(source), *source.credits_remaining);
    }
    add_gauge(plugin_info,
              {{"source", source.name()},
               {"plugin", source.plugin.name},
               {"version", source.plugin.version},
               {"abi_version", std::to_string(source.plugin.abi_version)}},
              1);
  }
  return moved_families(std::move(errors), std::move(duration), std::move(interval),
                        std::move(credits), std::move(spent), std::move(budget),
                        std::move(exhausted), std::move(suspended), std::move(plugin_info));
}

std::vector<prometheus::MetricFamily> exporter_families(const ExporterState& state) {
  auto successful = family("hashtag_exporter_config_last_reload_successful",
                           "1 if the last configuration reload succeeded, else 0.");
  add_gauge(successful, {}, state.config_last_reload_successful ? 1 : 0);
  auto success_time = family("hashtag_exporter_config_last_reload_success_timestamp_seconds",
                             "Unix time of the last successful configuration (re)load.");
  if (state.config_last_reload_success_timestamp) {
    add_gauge(success_time, {}, static_cast<double>(*state.config_last_reload_success_timestamp));
  }
  auto storage_errors = family("hashtag_exporter_storage_errors_total",
                               "Collection rounds that could not be written to the history "
                               "(read-only or full disk, locked too long); their snapshots are "
                               "kept in memory and written with the next round.",
                               prometheus::MetricType::Counter);
  add_counter(storage_errors, {}, static_cast<double>(state.storage_errors));
  auto unstored = family("hashtag_exporter_unstored_snapshots",
                         "Snapshots collected but not yet written to the history, held in memory "
                         "until a round can be stored.");
  add_gauge(unstored, {}, static_cast<double>(state.unstored_snapshots));
  auto dropped = family("hashtag_exporter_unstored_snapshots_dropped_total",
                        "Collected snapshots given up unwritten because more were waiting for "
                        "the history to be writable than the exporter keeps in memory.",
                        prometheus::MetricType::Counter);
  add_counter(dropped, {}, static_cast<double>(state.unstored_snapshots_dropped));
  auto retention_errors = family("hashtag_exporter_retention_errors_total",
                                 "Retention runs that failed to delete snapshots older than "
                                 "storage.retention from the history.",
                                 prometheus::MetricType::Counter);
  add_counter(retention_errors, {}, static_cast<double>(state.retention_errors));
  auto shard = family("hashtag_exporter_shard_info",
                      "The part of the configured hashtags this exporter owns; always 1.");
  add_gauge(
      shard,
      {{"index", std::to_string(state.shard.index)}, {"count", std::to_string(state.shard.count)}},
      1);
  return moved_families(std::move(successful), std::move(success_time), std::move(storage_errors),
                        std::move(unstored), std::move(dropped), std::move(retention_errors),
                        std::move(shard));
}

}  // namespace

std::vector<prometheus::MetricFamily> source_and_exporter_families(const ExporterState& state) {
  std::vector<prometheus::MetricFamily> families;
  const auto append_non_empty = [&families](std::vector<prometheus::MetricFamily> group) {
    for (auto& one : group) {
      if (!one.metric.empty()) families.push_back(std::move(one));
    }
  };
  append_non_empty(source_families(state.sources));
  append_non_empty(exporter_families(state));
  return families;
}

}  // namespace hashtag_exporter::prometheus_exporter
