#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace hashtag_exporter {

// Unix seconds as UTC text: "2026-05-22T09:00:00Z" (RFC 3339) or "2026-05-22" (a date).
std::string format_rfc3339(std::int64_t unix_seconds);
std::string format_date(std::int64_t unix_seconds);
// A log line's time, to the millisecond: "2026-05-22T09:00:00.123Z".
std::string format_rfc3339_millis(std::chrono::system_clock::time_point time);

}  // namespace hashtag_exporter
