#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace hashtag_exporter {

// One observation of one hashtag on one source. Timestamps are Unix seconds.
struct Snapshot {
  std::int64_t timestamp = 0;
  std::string source;
  std::string hashtag;
  std::int64_t video_count = 0;
  std::int64_t view_count = 0;

  bool operator==(const Snapshot&) const = default;
};

// Identifies one tracked hashtag: the pair of labels every per-hashtag metric carries.
struct SeriesKey {
  std::string source;
  std::string hashtag;

  auto operator<=>(const SeriesKey&) const = default;
};

}  // namespace hashtag_exporter
