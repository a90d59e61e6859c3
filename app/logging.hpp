#pragma once

#include <string>

namespace hashtag_exporter::app {

// Sets up the process logger on standard error: each record of log.hpp becomes one line in
// `format` (log_format.hpp).
// `level` is debug, info, warn or error and `format` logfmt or json, both checked by the CLI.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace hashtag_exporter::app
