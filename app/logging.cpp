#include "logging.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

namespace hashtag_exporter::app {
namespace {

std::string utc_timestamp(const spdlog::details::log_msg& message) {
  const auto time = std::chrono::system_clock::to_time_t(message.time);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          message.time.time_since_epoch()) % 1000;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[32];
  const auto length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  return std::string(buffer, length) + fmt::format(".{:03}Z", millis.count());
}

// Splits `a=1 b="two words"` into pairs; text that is not a pair becomes the value of "msg".
std::vector<std::pair<std::string, std::string>> logfmt_fields(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const auto equals = text.find('=', i);
    const auto space = text.find(' ', i);
    if (equals == std::string_view::npos || (space != std::string_view::npos && space < equals)) {
      fields.emplace_back("msg", std::string(text.substr(i)));
      break;
    }
    std::string key(text.substr(i, equals - i));
    i = equals + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i++];
      }
      ++i;
    } else {
      const auto end = text.find(' ', i);
      value = std::string(text.substr(i, end == std::string_view::npos ? end : end - i));
      i = end == std::string_view::npos ? text.size() : end;
    }
    fields.emplace_back(std::move(key), std::move(value));
  }
  return fields;
}

class LogfmtFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override {
    const auto line = fmt::format("ts={} level={} {}\n", utc_timestamp(message),
                                  spdlog::level::to_string_view(message.level),
                                  std::string_view(message.payload.data(), message.payload.size()));
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LogfmtFormatter>();
  }
};

class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["ts"] = utc_timestamp(message);
    line["level"] = std::string(spdlog::level::to_string_view(message.level).data(),
                                spdlog::level::to_string_view(message.level).size());
    for (auto& [key, value] :
         logfmt_fields(std::string_view(message.payload.data(), message.payload.size()))) {
      line[key] = std::move(value);
    }
    const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("hashtag_exporter");
  if (format == "logfmt") {
    logger->set_formatter(std::make_unique<LogfmtFormatter>());
  } else {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace hashtag_exporter::app
