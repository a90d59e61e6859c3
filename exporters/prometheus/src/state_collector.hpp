#pragma once

#include <hashtag_exporter/state.hpp>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace hashtag_exporter::prometheus_exporter {

// Turns the current ExporterState into the metric families of SPEC §3. Families without a
// sample are left out, so a series appears only once there is a value behind it.
class StateCollector : public prometheus::Collectable {
 public:
  explicit StateCollector(const StateStore& state);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const StateStore& state_;
};

}  // namespace hashtag_exporter::prometheus_exporter
