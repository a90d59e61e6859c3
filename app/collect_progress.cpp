#include "collect_progress.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <utility>

namespace hashtag_exporter::app {
namespace {

// Back to the start of the line, and (after the text) erase what a longer line left there.
constexpr const char* kLineStart = "\r";
constexpr const char* kEraseToEnd = "\x1b[K";

void write_stderr(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

// Clears the progress line before a log record and draws it again below, so that records and
// the line never share a line of the terminal.
class CollectProgress::LineClearingSink : public spdlog::sinks::sink {
 public:
  LineClearingSink(std::shared_ptr<spdlog::sinks::sink> inner, CollectProgress& progress)
      : inner_(std::move(inner)), progress_(progress) {}

  void log(const spdlog::details::log_msg& message) override {
    progress_.write_log_record([&] {
      inner_->log(message);
      inner_->flush();
    });
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
  CollectProgress& progress_;
};

CollectProgress::CollectProgress(bool terminal) : terminal_(terminal) {
  if (!terminal_) return;
  // The logger reads its sinks without a lock: they change only while no other thread runs.
  auto& sinks = spdlog::default_logger()->sinks();
  log_sinks_ = sinks;
  for (auto& sink : sinks) sink = std::make_shared<LineClearingSink>(sink, *this);
}

void CollectProgress::start(const std::vector<std::size_t>& tracked) {
  {
    std::lock_guard lock(mutex_);
    for (const auto count : tracked) sources_.push_back({false, {}, count});
    // Drawn before any result can come: the line starts at 0 done.
    if (terminal_) draw(progress_text(tally(), std::chrono::steady_clock::now() - started_));
  }
  if (terminal_) redraw_ = std::thread([this] { redraw_until_finished(); });
}

CollectProgress::~CollectProgress() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  finished_changed_.notify_all();
  if (redraw_.joinable()) redraw_.join();
  if (terminal_) spdlog::default_logger()->sinks() = log_sinks_;
}

ProgressCallback CollectProgress::source(std::size_t index) {
  return [this, index](const RoundProgress& round) {
    std::lock_guard lock(mutex_);
    sources_.at(index).started = true;
    sources_.at(index).round = round;
  };
}

void CollectProgress::finish(std::optional<int> signal) {
  std::unique_lock lock(mutex_);
  finished_ = true;
  const auto summary = summary_text(tally(), std::chrono::steady_clock::now() - started_, signal);
  if (terminal_) {
    write_stderr(kLineStart + summary + kEraseToEnd + "\n");
    drawn_.clear();
  } else {
    write_stderr(summary + "\n");
  }
  lock.unlock();
  finished_changed_.notify_all();
}

CollectTally CollectProgress::tally() const {
  CollectTally tally;
  for (const auto& source : sources_) {
    tally.total += source.started ? source.round.planned : source.tracked;
    tally.fetched += source.round.fetched;
    tally.failed += source.round.failed;
  }
  return tally;
}

void CollectProgress::redraw_until_finished() {
  std::unique_lock lock(mutex_);
  while (!finished_changed_.wait_for(lock, kRedrawInterval, [this] { return finished_; })) {
    draw(progress_text(tally(), std::chrono::steady_clock::now() - started_));
  }
}

void CollectProgress::draw(const std::string& text) {
  write_stderr(kLineStart + text + kEraseToEnd);
  drawn_ = text;
}

void CollectProgress::write_log_record(const std::function<void()>& write) {
  std::lock_guard lock(mutex_);
  if (!drawn_.empty()) write_stderr(std::string(kLineStart) + kEraseToEnd);
  write();
  if (!drawn_.empty()) write_stderr(kLineStart + drawn_ + kEraseToEnd);
}

}  // namespace hashtag_exporter::app
