#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/log_format.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace hashtag_exporter::log {
namespace {

using std::chrono::milliseconds;

// 2026-05-22T09:00:00.042Z
const std::chrono::system_clock::time_point kTime{milliseconds(1779440400042)};

std::string logfmt(spdlog::level::level_enum level, std::string_view message,
                   std::vector<Field> fields = {}) {
  return format_line(Format::logfmt, kTime, level, Record{message, fields});
}

std::string json(spdlog::level::level_enum level, std::string_view message,
                 std::vector<Field> fields = {}) {
  return format_line(Format::json, kTime, level, Record{message, fields});
}

TEST(LogFormat, LogfmtWritesTimeLevelMessageThenTheFieldsInTheirOrder) {
  EXPECT_EQ(logfmt(spdlog::level::info, "round committed",
                   {{"source", "tiktok"}, {"snapshots", std::size_t{3}}, {"earlier", 0}}),
            "ts=2026-05-22T09:00:00.042Z level=info msg=\"round committed\" source=tiktok "
            "snapshots=3 earlier=0\n");
}

TEST(LogFormat, LogfmtQuotesTextOnlyWhenItWouldNotReadBackAsOneValue) {
  EXPECT_EQ(logfmt(spdlog::level::info, "listening",
                   {{"port", 19929},
                    {"delta", std::int64_t{-4}},
                    {"big", std::uint64_t{18446744073709551615u}},
                    {"seconds", 0.125},
                    {"tls", true},
                    {"gzip", false},
                    {"empty", ""}}),
            "ts=2026-05-22T09:00:00.042Z level=info msg=listening port=19929 delta=-4 "
            "big=18446744073709551615 seconds=0.125 tls=true gzip=false empty=\"\"\n");
  EXPECT_EQ(logfmt(spdlog::level::info, "m",
                   {{"plain", "caf\xC3\xA9/a:b\\c"},
                    {"space", "a b"},
                    {"equals", "a=b"},
                    {"quote", "a\"b"},
                    {"tab", "a\tb"},
                    {"del", "a\x7F"}}),
            "ts=2026-05-22T09:00:00.042Z level=info msg=m plain=caf\xC3\xA9/a:b\\c space=\"a b\" "
            "equals=\"a=b\" quote=\"a\\\"b\" tab=\"a\\tb\" del=\"a\x7F\"\n");
}

TEST(LogFormat, LogfmtEscapesWhatWouldBreakTheLine) {
  EXPECT_EQ(logfmt(spdlog::level::err, "a \"b\" c\\d",
                   {{"err", "line one\nline two\r\tend"}, {"bell", std::string("\x07", 1)}}),
            "ts=2026-05-22T09:00:00.042Z level=error msg=\"a \\\"b\\\" c\\\\d\" "
            "err=\"line one\\nline two\\r\\tend\" bell=\"\\u0007\"\n");
}

TEST(LogFormat, LogfmtReplacesBytesThatAreNotUtf8AndKeepsUtf8) {
  EXPECT_EQ(logfmt(spdlog::level::warn, "caf\xC3\xA9", {{"hashtag", "t\xFFk"}}),
            "ts=2026-05-22T09:00:00.042Z level=warning msg=caf\xC3\xA9 "
            "hashtag=\"t\xEF\xBF\xBDk\"\n");
}

TEST(LogFormat, JsonWritesTheSameRecordWithTypedValuesInOrder) {
  EXPECT_EQ(json(spdlog::level::info, "round committed",
                 {{"source", "tiktok"},
                  {"snapshots", std::size_t{3}},
                  {"delta", -4},
                  {"seconds", 0.125},
                  {"tls", true}}),
            "{\"ts\":\"2026-05-22T09:00:00.042Z\",\"level\":\"info\",\"msg\":\"round committed\","
            "\"source\":\"tiktok\",\"snapshots\":3,\"delta\":-4,\"seconds\":0.125,\"tls\":true}\n");
}

TEST(LogFormat, JsonEscapesTextAndReplacesBytesThatAreNotUtf8) {
  const auto line = json(spdlog::level::err, "say \"hi\"\n", {{"err", "a\\b\x01 t\xFFk"}});
  EXPECT_EQ(
      line,
      "{\"ts\":\"2026-05-22T09:00:00.042Z\",\"level\":\"error\",\"msg\":\"say \\\"hi\\\"\\n\","
      "\"err\":\"a\\\\b\\u0001 t\xEF\xBF\xBDk\"}\n");
  EXPECT_EQ(nlohmann::json::parse(line)["msg"], "say \"hi\"\n");
}

TEST(LogFormat, LevelNames) {
  EXPECT_NE(logfmt(spdlog::level::debug, "m").find(" level=debug "), std::string::npos);
  EXPECT_NE(logfmt(spdlog::level::info, "m").find(" level=info "), std::string::npos);
  EXPECT_NE(logfmt(spdlog::level::warn, "m").find(" level=warning "), std::string::npos);
  EXPECT_NE(logfmt(spdlog::level::err, "m").find(" level=error "), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(json(spdlog::level::warn, "m"))["level"], "warning");
}

// The process logger with one of the formatters, writing into a string.
class CapturedLog {
 public:
  explicit CapturedLog(Format format) : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "captured", std::make_shared<spdlog::sinks::ostream_sink_st>(text_));
    logger->set_formatter(make_formatter(format));
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // The lines logged so far, without their time.
  std::vector<std::string> lines() const {
    std::vector<std::string> lines;
    std::istringstream in(text_.str());
    for (std::string line; std::getline(in, line);) {
      const auto json_ts_end = line.find("Z\",");
      lines.push_back(json_ts_end != std::string::npos ? line.substr(json_ts_end + 3)
                                                       : line.substr(line.find("Z ") + 2));
    }
    return lines;
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(Log, CallsReachTheProcessLoggerAsRecordsAboveItsLevel) {
  const CapturedLog log(Format::logfmt);
  const std::string source = "tik tok";
  info("round committed", {{"source", source}, {"snapshots", 2}});
  debug("below the level", {{"x", 1}});
  warn("no fields");
  error("{} is not a format string", {{"err", "{}"}});
  EXPECT_EQ(log.lines(), (std::vector<std::string>{
                             "level=info msg=\"round committed\" source=\"tik tok\" snapshots=2",
                             "level=warning msg=\"no fields\"",
                             "level=error msg=\"{} is not a format string\" err={}"}));
}

TEST(Log, AMessageLoggedThroughSpdlogDirectlyHasNoFieldsOfAnEarlierRecord) {
  const CapturedLog log(Format::json);
  info("structured", {{"source", "a"}});
  spdlog::info("plain \"text\"");
  EXPECT_EQ(log.lines(),
            (std::vector<std::string>{R"("level":"info","msg":"structured","source":"a"})",
                                      R"("level":"info","msg":"plain \"text\""})"}));
}

}  // namespace
}  // namespace hashtag_exporter::log
