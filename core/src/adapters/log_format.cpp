#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/log_format.hpp>
#include <hashtag_exporter/time_format.hpp>

#include "adapters/log_record.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string_view>

namespace hashtag_exporter::log {
namespace {

std::string_view level_name(spdlog::level::level_enum level) {
  const auto name = spdlog::level::to_string_view(level);
  return {name.data(), name.size()};
}

// Text in double quotes, escaped as a JSON string is (quotes, backslashes, control characters),
// invalid UTF-8 replaced by U+FFFD: one escaping for both formats, so that no text from a plugin
// or a library can break a line's structure.
std::string quoted(std::string_view text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// logfmt quotes a value only when it would not read back as one value otherwise, as go-logfmt
// and Go's log/slog do: `source=tiktok`, `msg="round committed"`.
std::string logfmt_text(std::string_view text) {
  const bool plain =
      !text.empty() && is_utf8(text) && std::none_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= ' ' || byte == 0x7f || c == '=' || c == '"';
      });
  return plain ? std::string(text) : quoted(text);
}

void append_logfmt_value(std::string& line, const Value& value) {
  std::visit(
      [&line](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          line += logfmt_text(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          line += v ? "true" : "false";
        } else {
          line += fmt::format("{}", v);
        }
      },
      value.get());
}

std::string logfmt_line(std::string_view ts, spdlog::level::level_enum level,
                        const Record& record) {
  std::string line = "ts=";
  line += ts;
  line += " level=";
  line += level_name(level);
  line += " msg=";
  line += logfmt_text(record.message);
  for (const auto& field : record.fields) {
    line += ' ';
    line += field.key;
    line += '=';
    append_logfmt_value(line, field.value);
  }
  return line + '\n';
}

std::string json_line(std::string_view ts, spdlog::level::level_enum level, const Record& record) {
  nlohmann::ordered_json line;
  line["ts"] = ts;
  line["level"] = level_name(level);
  line["msg"] = record.message;
  for (const auto& field : record.fields) {
    std::visit([&](const auto& v) { line[std::string(field.key)] = v; }, field.value.get());
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

class Formatter : public spdlog::formatter {
 public:
  explicit Formatter(Format format) : format_(format) {}

  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override {
    const Record* record = record_being_logged();
    const Record plain{std::string_view(message.payload.data(), message.payload.size()), {}};
    const auto line =
        format_line(format_, message.time, message.level, record != nullptr ? *record : plain);
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<Formatter>(format_);
  }

 private:
  Format format_;
};

}  // namespace

std::string format_line(Format format, std::chrono::system_clock::time_point time,
                        spdlog::level::level_enum level, const Record& record) {
  const auto ts = format_rfc3339_millis(time);
  return format == Format::logfmt ? logfmt_line(ts, level, record) : json_line(ts, level, record);
}

std::unique_ptr<spdlog::formatter> make_formatter(Format format) {
  return std::make_unique<Formatter>(format);
}

}  // namespace hashtag_exporter::log
