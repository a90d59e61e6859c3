#include "accept_encoding.hpp"

#include <hashtag_exporter/plugin/trim.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace hashtag_exporter::prometheus_exporter {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

// Calls `visit` with each element of a `separator`-separated list, trimmed.
template <typename Visit>
void for_each_element(std::string_view list, char separator, Visit visit) {
  for (std::size_t start = 0; start <= list.size();) {
    const auto end = std::min(list.find(separator, start), list.size());
    visit(sdk::trim(list.substr(start, end - start)));
    start = end + 1;
  }
}

// "q=0", "q=0.0", ...: the client refuses the coding. Any other weight accepts it.
bool refused(std::string_view parameters) {
  bool zero_weight = false;
  for_each_element(parameters, ';', [&zero_weight](std::string_view parameter) {
    if (parameter.size() > 2 && std::tolower(static_cast<unsigned char>(parameter[0])) == 'q' &&
        parameter[1] == '=') {
      zero_weight = parameter.substr(2).find_first_not_of("0.") == std::string_view::npos;
    }
  });
  return zero_weight;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<bool> gzip;
  std::optional<bool> any;
  for_each_element(accept_encoding, ',', [&gzip, &any](std::string_view element) {
    const auto semicolon = std::min(element.find(';'), element.size());
    const auto coding = sdk::trim(element.substr(0, semicolon));
    if (equals_ignoring_case(coding, "gzip")) gzip = !refused(element.substr(semicolon));
    if (coding == "*") any = !refused(element.substr(semicolon));
  });
  return gzip.value_or(any.value_or(false));
}

}  // namespace hashtag_exporter::prometheus_exporter
