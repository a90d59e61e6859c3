#pragma once

#include <string>
#include <string_view>

namespace hashtag_exporter::prometheus_exporter {

// The gzip member (RFC 1952) holding `data`, as served with `Content-Encoding: gzip`.
// Throws std::runtime_error if zlib fails.
std::string gzip_compress(std::string_view data);

}  // namespace hashtag_exporter::prometheus_exporter
