#pragma once

#include <string>

namespace hashtag_exporter::app {

// Sets up the process logger on standard error. Messages are written as logfmt fragments
// (`key=value key="quoted value"`); the json format turns those fragments into JSON fields.
// `level` is debug, info, warn or error and `format` logfmt or json, both checked by the CLI.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace hashtag_exporter::app
