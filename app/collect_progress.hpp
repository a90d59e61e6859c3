#pragma once

#include "progress_text.hpp"

#include <hashtag_exporter/source.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/sink.h>

namespace hashtag_exporter::app {

// Shows on standard error how far collect --once has got. On a terminal: one line redrawn in
// place (log lines are written above it), then the summary line. Elsewhere (a cron mail, a log
// file) only the summary line, which a redrawn line would fill with carriage returns.
class CollectProgress {
 public:
  // A person reads a few updates a second; redrawing more often only costs the collection.
  static constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

  // Takes over the log's sinks (on a terminal): construct it before threads that may log start.
  explicit CollectProgress(bool terminal);
  // Stops redrawing and gives the log its own sinks back, the summary written or not.
  ~CollectProgress();
  CollectProgress(const CollectProgress&) = delete;
  CollectProgress& operator=(const CollectProgress&) = delete;

  // Starts showing progress. `tracked`: how many hashtags each source tracks, counted until its
  // round says how many it fetches (the suspended ones are not).
  void start(const std::vector<std::size_t>& tracked);

  // What the round of the `index`th source reports to (Source::collect).
  ProgressCallback source(std::size_t index);

  // Ends the display with the summary line; `signal` is the one that stopped the collection.
  void finish(std::optional<int> signal);

 private:
  class LineClearingSink;
  struct SourceProgress {
    bool started = false;
    RoundProgress round;
    std::size_t tracked = 0;
  };

  CollectTally tally() const;  // with mutex_ held
  void redraw_until_finished();
  void draw(const std::string& text);  // with mutex_ held
  void write_log_record(const std::function<void()>& write);

  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const bool terminal_;
  std::mutex mutex_;
  std::condition_variable finished_changed_;
  bool finished_ = false;
  std::vector<SourceProgress> sources_;
  std::string drawn_;                                            // the line on the terminal now
  std::vector<std::shared_ptr<spdlog::sinks::sink>> log_sinks_;  // the logger's own
  std::thread redraw_;
};

}  // namespace hashtag_exporter::app
