// Helpers shared by the micro-benchmarks: synthetic hashtags, states and histories.
#pragma once

#include <hashtag_exporter/snapshot.hpp>
#include <hashtag_exporter/state.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hashtag_exporter::bench {

// Sizes, overridable from the environment so that a quick run can be small:
// HX_BENCH_HASHTAGS (default 10000) and HX_BENCH_DAYS (default 365, daily history).
std::size_t hashtag_count();
std::size_t history_days();

// "tag00042" and friends, sorted as the state wants them.
std::string hashtag_name(std::size_t index);

// The timestamp of the newest day of the synthetic history.
constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kDay = 86'400;

// A full state: every hashtag up, with counts and growth over 1d and 7d (about 60,000 series
// for 10,000 hashtags once the per-source series are added).
ExporterState make_state(std::size_t hashtags);

// The source "tiktok" tracking the first `hashtags` of hashtag_name(), every `interval`.
SourceState tiktok_source(std::size_t hashtags, std::chrono::seconds interval);

// One collection round's snapshots for every hashtag at `timestamp`.
std::vector<Snapshot> make_round(std::size_t hashtags, std::int64_t timestamp);

// A history database in the exporter's schema (v2) with `days` daily snapshots of `hashtags`
// hashtags of source "tiktok", ending at kNow; built once with raw SQLite and reused (it lives
// in $TMPDIR, named after its size). Returns its path.
std::filesystem::path history_database(std::size_t hashtags, std::size_t days);

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hashtag_exporter::bench
