#pragma once

#include "metric_families.hpp"

#include <hashtag_exporter/state.hpp>

#include <prometheus/metric_family.h>

#include <vector>

namespace hashtag_exporter::prometheus_exporter {

// The per-source, exporter and exposition families (kSourceFamilies, kExporterFamilies,
// kExpositionFamilies) for prometheus-cpp's TextSerializer; the per-hashtag ones, which are most
// of the series, are written by append_hashtag_families. Families without a sample are left
// out, so a series appears only once there is a value behind it.
std::vector<prometheus::MetricFamily> source_and_exporter_families(
    const ExporterState& state, const ExpositionInfo& exposition);

// The process families (kProcessFamilies) of one scrape, for prometheus-cpp's TextSerializer.
std::vector<prometheus::MetricFamily> process_families(const ProcessMetrics& process);

}  // namespace hashtag_exporter::prometheus_exporter
