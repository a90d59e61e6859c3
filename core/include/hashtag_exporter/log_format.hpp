#pragma once

#include <hashtag_exporter/log.hpp>

#include <spdlog/formatter.h>

#include <chrono>
#include <memory>
#include <string>

namespace hashtag_exporter::log {

enum class Format { logfmt, json };

// One line, ending in "\n", for a record logged at `time` and `level`:
//   logfmt: ts=2026-05-22T09:00:00.123Z level=info msg="round committed" source=tiktok n=3
//   json:   {"ts":"2026-05-22T09:00:00.123Z","level":"info","msg":"round committed","n":3}
// logfmt quotes text that is empty or holds a space, a control character, '=', '"' or bytes that
// are not UTF-8; quoted text is escaped as in JSON. Invalid UTF-8 becomes U+FFFD in both formats.
std::string format_line(Format format, std::chrono::system_clock::time_point time,
                        spdlog::level::level_enum level, const Record& record);

// The spdlog formatter that writes each record logged through log.hpp as `format_line` does; a
// message logged through spdlog directly becomes a record without fields.
std::unique_ptr<spdlog::formatter> make_formatter(Format format);

}  // namespace hashtag_exporter::log
