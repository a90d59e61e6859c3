#pragma once

#include <hashtag_exporter/snapshot.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace hashtag_exporter {

class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the snapshots of an import file:
//  - CSV with the header `timestamp,source,hashtag,video_count,view_count` (timestamp RFC 3339 or
//    YYYY-MM-DD, taken as midnight UTC), an empty source meaning `default_source`;
//  - a SQLite file in the tutorial tracker's format: table
//    snapshots(date TEXT, hashtag TEXT, video_count INTEGER, view_count INTEGER), all rows
//    attributed to `default_source`.
// Hashtags are normalised. Any bad row fails the whole import with an ImportError naming the
// file and line (CSV) or row (SQLite) and what was wrong; nothing is partially imported.
std::vector<Snapshot> read_import_file(const std::filesystem::path& file,
                                       const std::string& default_source);

}  // namespace hashtag_exporter
