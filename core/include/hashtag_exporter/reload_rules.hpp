#pragma once

#include <hashtag_exporter/config.hpp>

#include <optional>
#include <string>

namespace hashtag_exporter {

// What a reload may change. Sources, hashtags, intervals, budgets, settings, alert thresholds and
// the plugin path are swapped in; storage.path, storage.retention and growth.windows shape the
// history and the series already exported, so they need a restart. Returns why `next` cannot
// replace `running`, or nothing when it can.
std::optional<std::string> reload_refusal(const Config& running, const Config& next);

}  // namespace hashtag_exporter
