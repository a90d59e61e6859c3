#pragma once

#include <string_view>

namespace hashtag_exporter::prometheus_exporter {

// Whether an Accept-Encoding header value (RFC 9110 §12.5.3) allows a gzip response: "gzip"
// listed with a non-zero quality, or else "*" listed with a non-zero quality.
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace hashtag_exporter::prometheus_exporter
