#pragma once

#include <hashtag_exporter/snapshot.hpp>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hashtag_exporter {

class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A row dated later than the clock of this machine by more than this is an error: it would stay
// the `latest` value of its series until that time came. Five minutes is far more than the
// drift between synchronised clocks, and Kerberos' default limit for clock skew.
inline constexpr std::int64_t kMaxImportClockSkewSeconds = 5 * 60;
// A date without a time is a calendar day where it was written, which begins up to 14 hours
// before it begins in UTC (UTC+14, the Line Islands): "today" there is not a row from the future.
inline constexpr std::int64_t kMaxTimeZoneAheadOfUtcSeconds = 14 * 3600;

// Reads the snapshots of an import file:
//  - CSV with the header kSnapshotCsvHeader (timestamp RFC 3339 or YYYY-MM-DD, taken as midnight
//    UTC), an empty source meaning `default_source`;
//  - a SQLite file in the tutorial tracker's format: table
//    snapshots(date TEXT, hashtag TEXT, video_count INTEGER, view_count INTEGER), all rows
//    attributed to `default_source`;
//  - another hashtag_exporter's history database (table snapshots with source and timestamp
//    columns), every row with its own source: how a resharded exporter takes over the history
//    of the hashtags it now owns.
// Hashtags are normalised and sources checked as the config checks them (normalise_hashtag,
// is_source_name); a timestamp later than `now` (plus the skew above) is an error. Any bad row
// fails the whole import with an ImportError naming the file and line (CSV) or row (SQLite) and
// what was wrong; nothing is partially imported.
std::vector<Snapshot> read_import_file(const std::filesystem::path& file,
                                       const std::string& default_source,
                                       std::int64_t now = std::time(nullptr));

// The CSV that read_import_file reads and `history --format csv` writes, one snapshot a line:
// the header, and a record per snapshot (timestamp in RFC 3339 UTC, "\n" after it). A field
// holding a comma, a double quote, a line break or blanks at either end is quoted with its
// quotes doubled (RFC 4180), so that every record reads back as the snapshot it was written from.
inline constexpr std::string_view kSnapshotCsvHeader =
    "timestamp,source,hashtag,video_count,view_count";
std::string snapshot_csv_record(const Snapshot& snapshot);

// Appends `text` to `to` as one CSV field (RFC 4180) that the importer reads back as `text`: the
// field writer of every CSV the exporter writes.
void append_csv_field(std::string& to, std::string_view text);

}  // namespace hashtag_exporter
