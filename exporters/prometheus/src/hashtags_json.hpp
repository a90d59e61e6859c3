#pragma once

#include <hashtag_exporter/state.hpp>

#include <string>

namespace hashtag_exporter::prometheus_exporter {

// The body of /api/v1/hashtags: every tracked hashtag with its latest counts, growth, health
// and last error; absent values are null.
std::string hashtags_json(const ExporterState& state);

}  // namespace hashtag_exporter::prometheus_exporter
