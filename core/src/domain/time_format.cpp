#include <hashtag_exporter/time_format.hpp>

#include <fmt/format.h>

#include <ctime>

namespace hashtag_exporter {
namespace {

std::string format_utc(std::int64_t unix_seconds, const char* format) {
  const std::time_t time = unix_seconds;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[32];
  const auto length = std::strftime(buffer, sizeof buffer, format, &utc);
  return std::string(buffer, length);
}

}  // namespace

std::string format_rfc3339(std::int64_t unix_seconds) {
  return format_utc(unix_seconds, "%Y-%m-%dT%H:%M:%SZ");
}

std::string format_date(std::int64_t unix_seconds) { return format_utc(unix_seconds, "%Y-%m-%d"); }

std::string format_rfc3339_millis(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto millis = std::chrono::floor<std::chrono::milliseconds>(time - seconds);
  return format_utc(seconds.time_since_epoch().count(), "%Y-%m-%dT%H:%M:%S") +
         fmt::format(".{:03}Z", millis.count());
}

}  // namespace hashtag_exporter
