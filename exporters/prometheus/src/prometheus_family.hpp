#pragma once

#include "metric_families.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <string>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {

// `family` as prometheus-cpp's MetricFamily, with a ClientMetric per sample it reads from each of
// `scopes`: what TextSerializer writes for the per-source and exporter families, and the
// reference that the direct writer of the per-hashtag families is compared with in the tests.
template <class Family, class Scopes>
prometheus::MetricFamily prometheus_family(const Family& family, const Scopes& scopes) {
  const bool counter = family.type == MetricType::counter;
  prometheus::MetricFamily out{
      std::string(family.name),
      std::string(family.help),
      counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge,
      {}};
  const auto sample = [&](const LabelValues<Family::kLabels>& values, double value) {
    prometheus::ClientMetric metric;
    metric.label.reserve(Family::kLabels);
    for (std::size_t i = 0; i < Family::kLabels; ++i) {
      metric.label.push_back({std::string(family.labels[i]), std::string(values[i])});
    }
    (counter ? metric.counter.value : metric.gauge.value) = value;
    out.metric.push_back(std::move(metric));
  };
  for (const auto& scope : scopes) family.read(scope, sample);
  return out;
}

}  // namespace hashtag_exporter::prometheus_exporter
