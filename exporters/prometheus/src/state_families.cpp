#include "state_families.hpp"

#include "prometheus_family.hpp"

#include <span>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// Appends `family` as read from `scopes` to `families`, unless it got no sample.
template <class Family, class Scopes>
void append_non_empty(std::vector<prometheus::MetricFamily>& families, const Family& family,
                      const Scopes& scopes) {
  auto built = prometheus_family(family, scopes);
  if (!built.metric.empty()) families.push_back(std::move(built));
}

}  // namespace

std::vector<prometheus::MetricFamily> source_and_exporter_families(
    const ExporterState& state, const ExpositionInfo& exposition) {
  std::vector<prometheus::MetricFamily> families;
  for_each_family(kSourceFamilies,
                  [&](const auto& family) { append_non_empty(families, family, state.sources); });
  for_each_family(kExporterFamilies, [&](const auto& family) {
    append_non_empty(families, family, std::span(&state, 1));
  });
  for_each_family(kExpositionFamilies, [&](const auto& family) {
    append_non_empty(families, family, std::span(&exposition, 1));
  });
  return families;
}

std::vector<prometheus::MetricFamily> process_families(const ProcessMetrics& process) {
  std::vector<prometheus::MetricFamily> families;
  for_each_family(kProcessFamilies, [&](const auto& family) {
    append_non_empty(families, family, std::span(&process, 1));
  });
  return families;
}

}  // namespace hashtag_exporter::prometheus_exporter
