#pragma once

#include <hashtag_exporter/prometheus/exposition.hpp>

#include <string>

namespace hashtag_exporter::prometheus_exporter {

// The HTML page served at "/": name, version and links to every endpoint.
std::string landing_page(const BuildInfo& build_info, const std::string& telemetry_path);

}  // namespace hashtag_exporter::prometheus_exporter
