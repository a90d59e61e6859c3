#include "listen_address.hpp"

#include <civetweb.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace hashtag_exporter::prometheus_exporter {
namespace {

bool is_port(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }) &&
         std::stoul(std::string(text)) <= 65535;
}

// Anything civetweb would read as a list separator or an option ("s" for TLS, "r" for redirect)
// must not reach it from a host name.
bool is_host_name(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
}

std::invalid_argument bad_address(std::string_view address, std::string_view why) {
  return std::invalid_argument("listen address \"" + std::string(address) +
                               "\": " + std::string(why));
}

}  // namespace

std::string to_civetweb_listening_port(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) throw bad_address(address, "expected host:port");
  const auto host = address.substr(0, colon);
  const auto port = address.substr(colon + 1);
  if (!is_port(port)) throw bad_address(address, "expected a port number from 0 to 65535");

  // civetweb's "+port" is every IPv4 and, when built with IPv6, every IPv6 interface: the
  // meaning of Prometheus' ":port".
  if (host.empty()) return std::string("+").append(port);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']' ||
        host.find_first_not_of("0123456789abcdefABCDEF:.", 1) != host.size() - 1) {
      throw bad_address(address, "expected an IPv6 address in brackets");
    }
    if (mg_check_feature(MG_FEATURES_IPV6) == 0) {
      throw bad_address(address, "this build of civetweb has no IPv6 support");
    }
    return std::string(address);
  }
  if (!is_host_name(host)) throw bad_address(address, "expected a host name or an IP address");
  return std::string(address);
}

}  // namespace hashtag_exporter::prometheus_exporter
