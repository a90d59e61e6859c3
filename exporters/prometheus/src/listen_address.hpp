#pragma once

#include <string>
#include <string_view>

namespace hashtag_exporter::prometheus_exporter {

// Converts a Prometheus-style listen address ("host:port"; an empty host means every interface,
// an IPv6 host is bracketed as in "[::1]:9000") into one entry of civetweb's `listening_ports`.
// Throws std::invalid_argument naming the address when it is malformed, or is IPv6 and civetweb
// was built without IPv6 support.
std::string to_civetweb_listening_port(std::string_view address);

}  // namespace hashtag_exporter::prometheus_exporter
