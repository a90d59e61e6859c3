#include "logging.hpp"

#include <hashtag_exporter/log_format.hpp>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace hashtag_exporter::app {

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("hashtag_exporter");
  logger->set_formatter(
      log::make_formatter(format == "logfmt" ? log::Format::logfmt : log::Format::json));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace hashtag_exporter::app
