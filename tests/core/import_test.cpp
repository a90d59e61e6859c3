#include <hashtag_exporter/import.hpp>
#include <hashtag_exporter/store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>

#include "fifo.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr std::int64_t kMay22 = 1'779'408'000;  // 2026-05-22T00:00:00Z
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr const char* kHeader = "timestamp,source,hashtag,video_count,view_count\n";

Snapshot snapshot(std::int64_t timestamp, std::string source, std::string hashtag,
                  std::int64_t videos, std::int64_t views) {
  return {.timestamp = timestamp,
          .source = std::move(source),
          .hashtag = std::move(hashtag),
          .video_count = videos,
          .view_count = views};
}

std::string import_error(const std::filesystem::path& file) {
  try {
    read_import_file(file, "tiktok");
  } catch (const ImportError& error) {
    return error.what();
  }
  return "no error";
}

// Writes a CSV file with the header and `rows`, and returns its path.
std::filesystem::path csv(const TempDir& dir, const std::string& rows) {
  const auto file = dir / "import.csv";
  testing::write_file(file, kHeader + rows);
  return file;
}

// Creates a database the way the tutorial's tracker does, then runs `sql` on it.
std::filesystem::path tutorial_database(const TempDir& dir, const std::string& sql,
                                        const std::string& schema =
                                            "CREATE TABLE snapshots (date TEXT, hashtag TEXT, "
                                            "video_count INTEGER, view_count INTEGER, "
                                            "PRIMARY KEY (date, hashtag));") {
  const auto file = dir / "hashtag_tracker.db";
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open");
  const int rc = sqlite3_exec(db, (schema + sql).c_str(), nullptr, nullptr, nullptr);
  const std::string message = sqlite3_errmsg(db);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error(message);
  return file;
}

TEST(ImportTest, ReadsACsvFile) {
  const TempDir dir;
  const auto file = csv(dir,
                        "2026-05-22T09:00:00Z,tiktok,#AITools,1200,340000\r\n"
                        "\n"
                        "2026-05-23,,llm,7,80\n"
                        " 2026-05-23T00:00:00.750Z , demo , \"chatgpt\" , 0 , 0 \n");
  EXPECT_THAT(read_import_file(file, "tiktok"),
              ElementsAre(snapshot(kMay22 + 9 * kHour, "tiktok", "aitools", 1200, 340000),
                          snapshot(kMay22 + kDay, "tiktok", "llm", 7, 80),
                          snapshot(kMay22 + kDay, "demo", "chatgpt", 0, 0)));
}

TEST(ImportTest, EmptySourceMeansTheDefaultSource) {
  const TempDir dir;
  const auto file = csv(dir, "2026-05-22,,llm,7,80\n");
  EXPECT_EQ(read_import_file(file, "scavio").at(0).source, "scavio");
}

TEST(ImportTest, ReadsRfc3339Offsets) {
  const TempDir dir;
  const auto file = csv(dir,
                        "2026-05-22T11:00:00+02:00,tiktok,a,1,1\n"
                        "2026-05-22T04:30:00-04:30,tiktok,b,1,1\n"
                        "2026-05-22 09:00:00.123456+00:00,tiktok,c,1,1\n");
  const auto snapshots = read_import_file(file, "tiktok");
  ASSERT_EQ(snapshots.size(), 3u);
  for (const auto& imported : snapshots) EXPECT_EQ(imported.timestamp, kMay22 + 9 * kHour);
}

TEST(ImportTest, ReadsQuotedFields) {
  const TempDir dir;
  const auto file = csv(dir, "\"2026-05-22\",\"demo\",\"my\"\"l,l\"\"m\",\"7\",80\n");
  EXPECT_THAT(read_import_file(file, "tiktok"),
              ElementsAre(snapshot(kMay22, "demo", "my\"l,l\"m", 7, 80)));
}

TEST(ImportTest, BadNumberNamesTheLineAndColumn) {
  const TempDir dir;
  const auto file = csv(dir,
                        "2026-05-22,tiktok,llm,7,80\n"
                        "2026-05-23,tiktok,llm,abc,90\n");
  EXPECT_EQ(import_error(file),
            file.string() + ":3: video_count: expected a non-negative integer, got \"abc\"");
}

TEST(ImportTest, NegativeCountIsAnError) {
  const TempDir dir;
  const auto file = csv(dir, "2026-05-22,tiktok,llm,7,-80\n");
  EXPECT_EQ(import_error(file),
            file.string() + ":2: view_count: expected a non-negative integer, got \"-80\"");
}

TEST(ImportTest, BadTimestampIsAnError) {
  const TempDir dir;
  for (const std::string timestamp :
       {"2026-02-30", "22/05/2026", "2026-05-22T25:00:00Z", "2026-05-22T09:00:00",
        "2026-05-22T09:00:00+0200", "1779408000"}) {
    const auto file = csv(dir, timestamp + ",tiktok,llm,7,80\n");
    EXPECT_THAT(import_error(file), HasSubstr(file.string() + ":2: timestamp: expected RFC 3339"))
        << timestamp;
  }
}

TEST(ImportTest, WrongHeaderIsAnError) {
  const TempDir dir;
  const auto file = dir / "import.csv";
  testing::write_file(file, "date,hashtag,video_count,view_count\n2026-05-22,llm,7,80\n");
  EXPECT_EQ(import_error(file),
            file.string() +
                ":1: expected the header \"timestamp,source,hashtag,video_count,view_count\", "
                "got \"date,hashtag,video_count,view_count\"");
}

TEST(ImportTest, EmptyFileIsAnError) {
  const TempDir dir;
  testing::write_file(dir / "empty.csv", "");
  EXPECT_THAT(import_error(dir / "empty.csv"), HasSubstr("empty file"));
}

TEST(ImportTest, BinaryFileIsNeitherCsvNorSqlite) {
  const TempDir dir;
  testing::write_file(dir / "photo.jpg", std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11));
  EXPECT_EQ(import_error(dir / "photo.jpg"),
            (dir / "photo.jpg").string() + ": neither a SQLite database nor a CSV text file");
}

TEST(ImportTest, WrongNumberOfFieldsIsAnError) {
  const TempDir dir;
  const auto file = csv(dir, "2026-05-22,tiktok,llm,7\n");
  EXPECT_THAT(import_error(file), HasSubstr(file.string() + ":2: expected 5 fields"));
}

TEST(ImportTest, InvalidHashtagIsAnError) {
  const TempDir dir;
  const auto file = csv(dir,
                        "2026-05-22,tiktok,llm,7,80\n"
                        "2026-05-22,tiktok,ai tools,7,80\n");
  EXPECT_EQ(
      import_error(file),
      file.string() +
          ":3: hashtag: expected a UTF-8 hashtag without whitespace or control characters, got "
          "\"ai tools\"");
}

TEST(ImportTest, RowFromTheFarFutureIsAnError) {
  const TempDir dir;
  const auto file = csv(dir,
                        "2026-05-22,tiktok,llm,7,80\n"
                        "2100-01-01T00:00:00Z,tiktok,llm,7,80\n");
  EXPECT_THAT(import_error(file),
              HasSubstr(file.string() + ":3: timestamp: 2100-01-01T00:00:00Z is in the future"));
}

TEST(ImportTest, FutureRowsAreErrorsBeyondTheClockSkew) {
  const TempDir dir;
  const auto now = kMay22 + 10 * kHour;
  const auto error = [&](const std::string& row) {
    try {
      read_import_file(csv(dir, row + ",tiktok,llm,7,80\n"), "tiktok", now);
    } catch (const ImportError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("2026-05-22T10:05:00Z"), "no error");  // kMaxImportClockSkewSeconds ahead
  EXPECT_EQ(error("2026-05-22T10:05:01Z"),
            (dir / "import.csv").string() +
                ":2: timestamp: 2026-05-22T10:05:01Z is in the future (it is "
                "2026-05-22T10:00:00Z now)");
  EXPECT_EQ(error("2026-05-22T12:05:00+02:00"), "no error");  // the skew, with an offset
  // 2026-05-23 has begun in UTC+14 at 10:00 UTC; 2026-05-24 has begun nowhere.
  EXPECT_EQ(error("2026-05-23"), "no error");
  EXPECT_THAT(error("2026-05-24"),
              HasSubstr(":2: timestamp: 2026-05-24 is in the future (it is 2026-05-22T10:00:00Z "
                        "now, and that date has begun nowhere on Earth yet)"));
}

TEST(ImportTest, TutorialDatabaseRowFromTheFutureNamesTheRow) {
  const TempDir dir;
  const auto file = tutorial_database(dir,
                                      "INSERT INTO snapshots VALUES ('2026-05-22', 'llm', 7, 80);"
                                      "INSERT INTO snapshots VALUES ('2026-06-22', 'llm', 7, 80);");
  try {
    read_import_file(file, "tiktok", kMay22);
    ADD_FAILURE() << "no error";
  } catch (const ImportError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ": row 2: date: 2026-06-22 is in the future"));
  }
}

TEST(ImportTest, DefaultSourceIsValidatedToo) {
  const TempDir dir;
  const auto file = csv(dir, "2026-05-22,,llm,7,80\n");
  try {
    read_import_file(file, "my source");
    ADD_FAILURE() << "no error";
  } catch (const ImportError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ": --source: expected a name of letters"));
  }
}

TEST(ImportTest, WrittenCsvRecordsReadBackAsTheSameSnapshots) {
  const TempDir dir;
  const std::vector<Snapshot> written{
      snapshot(kMay22, "tiktok", "plain", 1, 2),
      snapshot(kMay22 + kHour, "my-source_2", "a\"b,c", 3, 4),
      snapshot(kMay22 + 2 * kHour, "tiktok", "\"", 5, 6),
      snapshot(kMay22 + 3 * kHour, "tiktok", ",", 0, 0),
      snapshot(kMay22 + 4 * kHour, "tiktok", "\xC3\xBCn\xC3\xAF\xE2\x9C\x93", 9'007'199'254'740'993,
               std::numeric_limits<std::int64_t>::max())};
  std::string text = std::string(kSnapshotCsvHeader) + "\n";
  for (const auto& one : written) text += snapshot_csv_record(one);
  testing::write_file(dir / "written.csv", text);
  EXPECT_EQ(read_import_file(dir / "written.csv", "tiktok"), written);
  EXPECT_EQ(snapshot_csv_record(written[1]), "2026-05-22T01:00:00Z,my-source_2,\"a\"\"b,c\",3,4\n");
}

TEST(ImportTest, SourceIsValidatedLikeTheConfigsSourceName) {
  const TempDir dir;
  // As written in the file: a blank, a quote, invalid UTF-8, letters beyond ASCII, a digit first.
  for (const std::string source :
       {"my source", "\"a\"\"b\"", "t\xFFk", "\xC3\xA9t\xC3\xA9", "1st"}) {
    const auto file = csv(dir, "2026-05-22," + source + ",llm,7,80\n");
    EXPECT_THAT(import_error(file),
                HasSubstr(file.string() + ":2: source: expected a name of letters, digits, '_' "
                                          "and '-' such as tiktok"))
        << source;
  }
}

TEST(ImportTest, MissingFileIsAnError) {
  const TempDir dir;
  EXPECT_THAT(import_error(dir / "missing.csv"),
              HasSubstr((dir / "missing.csv").string() + ": cannot read"));
}

TEST(ImportTest, OnlyRegularFilesAreImported) {
  const TempDir dir;
  std::filesystem::create_directory(dir / "folder");
  EXPECT_THAT(import_error(dir / "folder"),
              HasSubstr((dir / "folder").string() + ": is a directory"));
  EXPECT_THAT(import_error("/dev/zero"),
              HasSubstr("/dev/zero: is a character device, not a regular file"));
  const testing::Fifo fifo(dir / "fifo");
  std::string error;
  EXPECT_TRUE(fifo.returns_in_time([&] { error = import_error(fifo.path()); }));
  EXPECT_THAT(error, HasSubstr(fifo.path().string() + ": is a FIFO, not a regular file"));
}

TEST(ImportTest, RejectsFilesOverOneGibibyte) {
  const TempDir dir;
  const auto file = dir / "huge.csv";
  testing::write_file(file, kHeader);
  std::filesystem::resize_file(file, (std::uintmax_t{1} << 30) + 1);  // sparse: takes no space
  EXPECT_THAT(import_error(file), HasSubstr("more than the 1 GiB"));
}

TEST(ImportTest, ReadsAnotherExportersHistoryWithItsSources) {
  const TempDir dir;
  const auto file = dir / "other.db";
  {
    HistoryStore other(file);
    other.append(std::vector<Snapshot>{snapshot(kMay22, "tiktok", "aitools", 10, 100),
                                       snapshot(kMay22 + kDay, "demo", "llm", 20, 200)});
  }
  EXPECT_THAT(read_import_file(file, "ignored", kMay22 + 2 * kDay),
              ::testing::UnorderedElementsAre(snapshot(kMay22, "tiktok", "aitools", 10, 100),
                                              snapshot(kMay22 + kDay, "demo", "llm", 20, 200)));
}

TEST(ImportTest, AnotherExportersHistoryIsValidatedRowByRow) {
  const TempDir dir;
  const auto file = dir / "other.db";
  {
    HistoryStore other(file);
    other.append(std::vector<Snapshot>{snapshot(kMay22 + 10 * kDay, "tiktok", "aitools", 1, 2)});
  }
  try {
    read_import_file(file, "tiktok", kMay22);
    FAIL() << "a row from the future was imported";
  } catch (const ImportError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ": row 1: timestamp: "));
    EXPECT_THAT(e.what(), HasSubstr("is in the future"));
  }
}

TEST(ImportTest, ReadsATutorialTrackerDatabase) {
  const TempDir dir;
  const auto file =
      tutorial_database(dir,
                        "INSERT INTO snapshots VALUES ('2026-05-22', 'aitools', 1200, 340000);"
                        "INSERT INTO snapshots VALUES ('2026-05-23', 'aitools', 1300, 350000);"
                        "INSERT INTO snapshots VALUES ('2026-05-23', '#LLM', 0, 0);");
  EXPECT_THAT(read_import_file(file, "tiktok"),
              ElementsAre(snapshot(kMay22, "tiktok", "aitools", 1200, 340000),
                          snapshot(kMay22 + kDay, "tiktok", "aitools", 1300, 350000),
                          snapshot(kMay22 + kDay, "tiktok", "llm", 0, 0)));
}

TEST(ImportTest, TutorialDatabaseMissingAColumnIsAnError) {
  const TempDir dir;
  const auto file = tutorial_database(
      dir, "", "CREATE TABLE snapshots (date TEXT, hashtag TEXT, video_count INTEGER);");
  EXPECT_THAT(import_error(file),
              HasSubstr(file.string() + ": table snapshots has no column view_count"));
}

TEST(ImportTest, TutorialDatabaseWithoutSnapshotsIsAnError) {
  const TempDir dir;
  const auto file = tutorial_database(dir, "", "CREATE TABLE other (x);");
  EXPECT_THAT(import_error(file), HasSubstr(file.string() + ": has no table snapshots"));
}

TEST(ImportTest, TutorialDatabaseBadRowNamesTheRow) {
  const TempDir dir;
  const auto bad_date =
      tutorial_database(dir,
                        "INSERT INTO snapshots VALUES ('2026-05-22', 'aitools', 1200, 340000);"
                        "INSERT INTO snapshots VALUES ('yesterday', 'aitools', 1300, 350000);");
  EXPECT_EQ(import_error(bad_date),
            bad_date.string() + ": row 2: date: expected YYYY-MM-DD, got \"yesterday\"");

  std::filesystem::remove(bad_date);
  const auto bad_count = tutorial_database(
      dir, "INSERT INTO snapshots VALUES ('2026-05-22', 'aitools', NULL, 340000);");
  EXPECT_EQ(import_error(bad_count),
            bad_count.string() + ": row 1: video_count: expected a non-negative integer, got NULL");
}

TEST(ImportTest, TutorialDatabaseIsNotModified) {
  const TempDir dir;
  const auto file = tutorial_database(
      dir, "INSERT INTO snapshots VALUES ('2026-05-22', 'aitools', 1200, 340000);");
  const auto before = testing::read_file(file);
  EXPECT_EQ(read_import_file(file, "tiktok").size(), 1u);
  EXPECT_EQ(testing::read_file(file), before);
}

}  // namespace
}  // namespace hashtag_exporter
