#pragma once

#include <hashtag_exporter/state.hpp>

#include <string>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {

// Appends the per-hashtag families of kHashtagFamilies (about six series per hashtag, 60,000 for
// 10,000 hashtags) in the text format, byte for byte what prometheus-cpp's TextSerializer writes
// for them, without building a ClientMetric per series first: that is what keeps a cold render of
// 10,000 hashtags within its budget. Families without a sample are left out. The caller sizes
// `out` (Exposition reserves the size of the previous body).
void append_hashtag_families(const std::vector<HashtagState>& hashtags, std::string& out);

}  // namespace hashtag_exporter::prometheus_exporter
