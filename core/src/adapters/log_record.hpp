#pragma once

#include <hashtag_exporter/log.hpp>

namespace hashtag_exporter::log {

// The record whose message the process logger is formatting on this thread, or null when the
// message was logged through spdlog directly.
const Record* record_being_logged();

}  // namespace hashtag_exporter::log
