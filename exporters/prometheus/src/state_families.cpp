#include "state_families.hpp"

#include "prometheus_family.hpp"

#include <span>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {

std::vector<prometheus::MetricFamily> source_and_exporter_families(
    const ExporterState& state, const ExpositionInfo& exposition) {
  std::vector<prometheus::MetricFamily> families;
  const auto append_non_empty = [&families](const auto& family, const auto& scopes) {
    auto built = prometheus_family(family, scopes);
    if (!built.metric.empty()) families.push_back(std::move(built));
  };
  for_each_family(kSourceFamilies,
                  [&](const auto& family) { append_non_empty(family, state.sources); });
  for_each_family(kExporterFamilies,
                  [&](const auto& family) { append_non_empty(family, std::span(&state, 1)); });
  for_each_family(kExpositionFamilies,
                  [&](const auto& family) { append_non_empty(family, std::span(&exposition, 1)); });
  return families;
}

}  // namespace hashtag_exporter::prometheus_exporter
