#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/import.hpp>
#include <hashtag_exporter/plugin/regular_file.hpp>
#include <hashtag_exporter/plugin/trim.hpp>
#include <hashtag_exporter/time_format.hpp>

#include "adapters/sqlite.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashtag_exporter {
namespace {

// Every snapshot of a file is held in memory before any is stored, so that a bad row leaves the
// history untouched; this bounds that memory.
constexpr std::uintmax_t kMaxImportBytes = std::uintmax_t{1} << 30;

constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};
constexpr std::array<std::string_view, 5> kCsvColumns{"timestamp", "source", "hashtag",
                                                      "video_count", "view_count"};
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

constexpr std::int64_t kSecondsPerDay = 86400;

// Quotes a value for an error message, shortened so that a binary file does not flood it.
std::string in_quotes(std::string_view value) {
  constexpr std::size_t kMaxShown = 80;
  if (value.size() > kMaxShown) return "\"" + std::string(value.substr(0, kMaxShown)) + "...\"";
  return "\"" + std::string(value) + "\"";
}

std::optional<std::int64_t> parse_count(std::string_view text) {
  std::int64_t value = 0;
  // from_chars takes a leading '-', which a count may not have.
  if (text.empty() || text.front() == '-') return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// `width` digits at `position`, or nothing.
std::optional<int> digits(std::string_view text, std::size_t position, std::size_t width) {
  if (position + width > text.size()) return std::nullopt;
  int value = 0;
  for (const char c : text.substr(position, width)) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// YYYY-MM-DD at the start of `text`, as Unix seconds of its midnight UTC.
std::optional<std::int64_t> parse_date_prefix(std::string_view text) {
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date}.time_since_epoch().count() * kSecondsPerDay;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return parse_date_prefix(text);
}

// RFC 3339 (2026-05-22T09:00:00Z, 2026-05-22 11:00:00.5+02:00) or YYYY-MM-DD as midnight UTC.
// Fractions of a second are dropped: history timestamps are whole seconds.
std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  if (text.size() == 10) return parse_date(text);
  const auto midnight = parse_date_prefix(text);
  if (!midnight || text.size() < 20 ||
      std::string_view("Tt ").find(text[10]) == std::string_view::npos) {
    return std::nullopt;
  }
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  const auto second = digits(text, 17, 2);
  // 60 is a leap second, which Unix time folds into the next minute.
  if (!hour || !minute || !second || text[13] != ':' || text[16] != ':' || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t position = 19;
  if (text[position] == '.') {
    const auto fraction_end = text.find_first_not_of("0123456789", position + 1);
    if (fraction_end == position + 1 || fraction_end == std::string_view::npos) return std::nullopt;
    position = fraction_end;
  }
  std::int64_t offset = 0;
  const std::string_view zone = text.substr(position);
  if (zone != "Z" && zone != "z") {
    const auto offset_hours = digits(zone, 1, 2);
    const auto offset_minutes = digits(zone, 4, 2);
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !offset_hours ||
        !offset_minutes || *offset_hours > 23 || *offset_minutes > 59) {
      return std::nullopt;
    }
    offset = (zone[0] == '-' ? -1 : 1) * (*offset_hours * 3600 + *offset_minutes * 60);
  }
  return *midnight + *hour * 3600 + *minute * 60 + *second - offset;
}

// Splits one CSV record: fields separated by commas, blanks around them dropped, a field in
// double quotes may hold commas and doubled quotes (RFC 4180), but no line breaks.
std::vector<std::string> split_fields(std::string_view line, const std::string& where) {
  std::vector<std::string> fields;
  std::size_t position = 0;
  while (true) {
    while (position < line.size() && (line[position] == ' ' || line[position] == '\t')) {
      ++position;
    }
    std::string field;
    if (position < line.size() && line[position] == '"') {
      ++position;
      while (true) {
        if (position >= line.size()) {
          throw ImportError(where + ": unterminated quoted field (a field may not span lines)");
        }
        if (line[position] == '"') {
          if (position + 1 < line.size() && line[position + 1] == '"') {
            field.push_back('"');
            position += 2;
            continue;
          }
          ++position;
          break;
        }
        field.push_back(line[position++]);
      }
      const auto comma = std::min(line.find(',', position), line.size());
      if (!sdk::trim(line.substr(position, comma - position)).empty()) {
        throw ImportError(where + ": unexpected text after the closing quote of field " +
                          std::to_string(fields.size() + 1));
      }
      position = comma;
    } else {
      const auto comma = std::min(line.find(',', position), line.size());
      field = sdk::trim(line.substr(position, comma - position));
      position = comma;
    }
    fields.push_back(std::move(field));
    if (position >= line.size()) return fields;
    ++position;  // the comma
  }
}

std::string normalised_or_fail(std::string_view raw, const std::string& where) {
  std::string hashtag = normalise_hashtag(raw);
  if (hashtag.empty()) {
    throw ImportError(where +
                      ": hashtag: expected a UTF-8 hashtag without whitespace or control "
                      "characters, got " +
                      in_quotes(raw));
  }
  return hashtag;
}

std::string source_or_fail(const std::string& source, const std::string& where,
                           std::string_view key = "source") {
  if (!is_source_name(source)) {
    throw ImportError(where + ": " + std::string(key) +
                      ": expected a name of letters, digits, '_' and '-' such as tiktok "
                      "(as a config source name), got " +
                      in_quotes(source));
  }
  return source;
}

// `raw` is the timestamp as written, `date_only` when it is a date without a time of day.
std::int64_t not_in_future_or_fail(std::int64_t timestamp, bool date_only, std::string_view column,
                                   std::string_view raw, std::int64_t now,
                                   const std::string& where) {
  const auto latest_allowed =
      now + kMaxImportClockSkewSeconds + (date_only ? kMaxTimeZoneAheadOfUtcSeconds : 0);
  if (timestamp > latest_allowed) {
    throw ImportError(where + ": " + std::string(column) + ": " + std::string(raw) +
                      " is in the future (it is " + format_rfc3339(now) + " now" +
                      (date_only ? ", and that date has begun nowhere on Earth yet)" : ")"));
  }
  return timestamp;
}

std::int64_t count_or_fail(std::string_view column, std::string_view raw,
                           const std::string& where) {
  const auto count = parse_count(raw);
  if (!count) {
    throw ImportError(where + ": " + std::string(column) +
                      ": expected a non-negative integer, got " + in_quotes(raw));
  }
  return *count;
}

// A control character other than tab and CR: the file holds binary data rather than text.
bool is_binary(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && c != '\t' && c != '\r') || byte == 0x7f;
}

std::vector<Snapshot> read_csv(const std::filesystem::path& file, const std::string& default_source,
                               std::int64_t now) {
  const std::string name = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ImportError(name + ": cannot open for reading");

  std::vector<Snapshot> snapshots;
  bool header_seen = false;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    std::string_view text = line;
    if (line_number == 1 && text.starts_with(kUtf8ByteOrderMark)) {
      text.remove_prefix(kUtf8ByteOrderMark.size());
    }
    if (sdk::trim(text).empty()) continue;
    const std::string where = name + ":" + std::to_string(line_number);
    const auto fields = split_fields(text, where);
    if (!header_seen) {
      if (std::any_of(text.begin(), text.end(), is_binary)) {
        throw ImportError(name + ": neither a SQLite database nor a CSV text file");
      }
      if (!std::equal(fields.begin(), fields.end(), kCsvColumns.begin(), kCsvColumns.end())) {
        throw ImportError(where + ": expected the header \"" + std::string(kSnapshotCsvHeader) +
                          "\", got " + in_quotes(sdk::trim(text)));
      }
      header_seen = true;
      continue;
    }
    if (fields.size() != kCsvColumns.size()) {
      throw ImportError(where + ": expected " + std::to_string(kCsvColumns.size()) + " fields (" +
                        std::string(kSnapshotCsvHeader) + "), got " +
                        std::to_string(fields.size()));
    }
    const auto timestamp = parse_timestamp(fields[0]);
    if (!timestamp) {
      throw ImportError(where +
                        ": timestamp: expected RFC 3339 (2026-05-22T09:00:00Z) or YYYY-MM-DD, "
                        "got " +
                        in_quotes(fields[0]));
    }
    snapshots.push_back(
        {.timestamp = not_in_future_or_fail(*timestamp, fields[0].size() == 10, "timestamp",
                                            fields[0], now, where),
         .source = fields[1].empty() ? default_source : source_or_fail(fields[1], where),
         .hashtag = normalised_or_fail(fields[2], where),
         .video_count = count_or_fail("video_count", fields[3], where),
         .view_count = count_or_fail("view_count", fields[4], where)});
  }
  if (in.bad()) throw ImportError(name + ": read error");
  if (!header_seen) {
    throw ImportError(name + ": empty file; expected the header \"" +
                      std::string(kSnapshotCsvHeader) + "\"");
  }
  return snapshots;
}

// The value as the error message shows it: its text, or NULL.
std::string shown(const sqlite::Run& row, int column) {
  if (row.type(column) == SQLITE_NULL) return "NULL";
  return in_quotes(row.text(column));
}

// Both databases declare the counts INTEGER, so SQLite has already turned numeric text into
// integers; anything else stored there is not a count.
std::int64_t integer_count(const sqlite::Run& row, int column, std::string_view column_name,
                           const std::string& where) {
  if (row.type(column) != SQLITE_INTEGER || row.integer(column) < 0) {
    throw ImportError(where + ": " + std::string(column_name) +
                      ": expected a non-negative integer, got " + shown(row, column));
  }
  return row.integer(column);
}

// The rows of another hashtag_exporter's history (its table snapshots(source, hashtag,
// timestamp, video_count, view_count)): how a resharded exporter takes over the history of the
// hashtags it now owns.
std::vector<Snapshot> read_exporter_history(const sqlite::Connection& db, std::int64_t now) {
  const std::string& name = db.name();
  std::vector<Snapshot> snapshots;
  const sqlite::Statement rows(
      db, "SELECT source, hashtag, timestamp, video_count, view_count FROM snapshots");
  sqlite::Run run(db, rows);
  for (int row = 1; run.next(); ++row) {
    const std::string where = name + ": row " + std::to_string(row);
    if (run.type(2) != SQLITE_INTEGER) {
      throw ImportError(where + ": timestamp: expected Unix seconds, got " + shown(run, 2));
    }
    const auto timestamp = run.integer(2);
    snapshots.push_back({.timestamp = not_in_future_or_fail(timestamp, false, "timestamp",
                                                            std::to_string(timestamp), now, where),
                         .source = source_or_fail(run.text(0), where),
                         .hashtag = normalised_or_fail(run.text(1), where),
                         .video_count = integer_count(run, 3, "video_count", where),
                         .view_count = integer_count(run, 4, "view_count", where)});
  }
  return snapshots;
}

// A tutorial tracker's database, or another hashtag_exporter's history.
std::vector<Snapshot> read_rows(const sqlite::Connection& db, const std::string& source,
                                std::int64_t now) {
  const std::string& name = db.name();
  constexpr std::array<std::string_view, 4> kTutorialColumns{"date", "hashtag", "video_count",
                                                             "view_count"};
  const std::string expected =
      "expected a tutorial tracker database with table snapshots(date, hashtag, video_count, "
      "view_count) or a hashtag_exporter history";
  std::vector<std::string> present;
  const sqlite::Statement columns(db, "SELECT lower(name) FROM pragma_table_info('snapshots')");
  for (sqlite::Run run(db, columns); run.next();) present.push_back(run.text(0));
  if (present.empty()) throw ImportError(name + ": has no table snapshots; " + expected);
  const auto has = [&present](std::string_view column) {
    return std::find(present.begin(), present.end(), column) != present.end();
  };
  if (has("source") && has("timestamp")) return read_exporter_history(db, now);
  std::string missing;
  for (const auto column : kTutorialColumns) {
    if (has(column)) continue;
    missing += (missing.empty() ? "" : ", ") + std::string(column);
  }
  if (!missing.empty()) {
    throw ImportError(name + ": table snapshots has no column " + missing + "; " + expected);
  }

  std::vector<Snapshot> snapshots;
  const sqlite::Statement rows(db, "SELECT date, hashtag, video_count, view_count FROM snapshots");
  sqlite::Run run(db, rows);
  for (int row = 1; run.next(); ++row) {
    const std::string where = name + ": row " + std::to_string(row);
    const auto timestamp = run.type(0) == SQLITE_TEXT ? parse_date(run.text(0)) : std::nullopt;
    if (!timestamp) throw ImportError(where + ": date: expected YYYY-MM-DD, got " + shown(run, 0));
    snapshots.push_back(
        {.timestamp = not_in_future_or_fail(*timestamp, true, "date", run.text(0), now, where),
         .source = source,
         .hashtag = normalised_or_fail(run.text(1), where),
         .video_count = integer_count(run, 2, "video_count", where),
         .view_count = integer_count(run, 3, "view_count", where)});
  }
  return snapshots;
}

// SQLite's own errors (cannot open, not a database, a read error) name the file as the
// importer's do.
std::vector<Snapshot> read_database(const std::filesystem::path& file, const std::string& source,
                                    std::int64_t now) {
  try {
    const sqlite::Connection db(file, sqlite::Connection::Access::read_only);
    return read_rows(db, source, now);
  } catch (const StoreError& e) {
    throw ImportError(e.what());
  }
}

bool starts_with_sqlite_magic(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<char, kSqliteMagic.size()> start{};
  in.read(start.data(), start.size());
  return in.gcount() == static_cast<std::streamsize>(start.size()) &&
         std::string_view(start.data(), start.size()) == kSqliteMagic;
}

}  // namespace

std::vector<Snapshot> read_import_file(const std::filesystem::path& file,
                                       const std::string& default_source, std::int64_t now) {
  source_or_fail(default_source, file.string(), "--source");
  // A FIFO would block the reader and a device never end: only regular files are imported.
  try {
    if (const auto problem = sdk::not_a_regular_file(file); !problem.empty()) {
      throw ImportError(file.string() + ": " + problem);
    }
  } catch (const sdk::FileError& e) {
    throw ImportError(file.string() + ": cannot read: " + e.what());
  }
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  if (error) throw ImportError(file.string() + ": cannot read: " + error.message());
  if (size > kMaxImportBytes) {
    throw ImportError(file.string() + ": " + std::to_string(size) +
                      " bytes is more than the 1 GiB an import file may have; split it into "
                      "smaller files");
  }
  if (starts_with_sqlite_magic(file)) return read_database(file, default_source, now);
  return read_csv(file, default_source, now);
}

// Quoted when `text` holds what would end or change an unquoted field (RFC 4180), or blanks
// that split_fields would trim.
void append_csv_field(std::string& to, std::string_view text) {
  const bool quoted =
      text.find_first_of(",\"\r\n") != std::string_view::npos || text != sdk::trim(text);
  if (!quoted) {
    to.append(text);
    return;
  }
  to.push_back('"');
  for (const char c : text) {
    if (c == '"') to.push_back('"');
    to.push_back(c);
  }
  to.push_back('"');
}

std::string snapshot_csv_record(const Snapshot& snapshot) {
  std::string record = format_rfc3339(snapshot.timestamp);
  for (const std::string_view text :
       {std::string_view(snapshot.source), std::string_view(snapshot.hashtag)}) {
    record.push_back(',');
    append_csv_field(record, text);
  }
  record.append(",")
      .append(std::to_string(snapshot.video_count))
      .append(",")
      .append(std::to_string(snapshot.view_count))
      .append("\n");
  return record;
}

}  // namespace hashtag_exporter
