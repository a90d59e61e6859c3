#include "adapters/log_record.hpp"

#include <spdlog/spdlog.h>

namespace hashtag_exporter::log {
namespace {

// spdlog's log_msg carries only text, so the record travels beside it: the process logger is
// synchronous, and its formatter runs on the logging thread inside the `log` call below.
thread_local const Record* current = nullptr;

class BeingLogged {
 public:
  explicit BeingLogged(const Record& record) : outer_(current) { current = &record; }
  ~BeingLogged() { current = outer_; }
  BeingLogged(const BeingLogged&) = delete;
  BeingLogged& operator=(const BeingLogged&) = delete;

 private:
  const Record* outer_;
};

}  // namespace

const Record* record_being_logged() { return current; }

void write(spdlog::level::level_enum level, std::string_view message, Fields fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  const Record record{message, std::span<const Field>(fields.begin(), fields.size())};
  const BeingLogged being_logged(record);
  logger->log(level, spdlog::string_view_t(message.data(), message.size()));
}

}  // namespace hashtag_exporter::log
