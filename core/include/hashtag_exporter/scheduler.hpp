#pragma once

#include <hashtag_exporter/clock.hpp>
#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/schedule.hpp>
#include <hashtag_exporter/source.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace hashtag_exporter {

// Collects each source on a thread of its own, sleeping through `clock`: a fixed source every
// interval (Schedule), an adaptive one whenever hashtags are due (Source::next_due()).
// `due` (from a previous scheduler, across a reload) says when sources are next due.
class Scheduler {
 public:
  using Due = std::map<std::string, Clock::Instant>;

  Scheduler(std::vector<std::shared_ptr<Source>> sources, Collector& collector, Clock& clock,
            Due due = {});
  // Stops and waits for the rounds in progress to finish.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts no more rounds, without waiting: a round in progress finishes and is recorded.
  void request_stop();
  // Makes rounds in progress give up their outstanding API requests (what they already fetched
  // is still recorded) and starts no more, without waiting.
  void cancel();
  // Whether every source's thread has ended (after request_stop or cancel): destroying the
  // scheduler then waits for nothing.
  bool finished() const;
  // request_stop(), then waits for the rounds in progress to end.
  void stop();

  // When each source is next due; pass it to the next scheduler so a reload does not collect
  // (and spend API credits) early.
  Due due() const;

 private:
  // A fixed source is due on its Schedule; an adaptive one when its first hashtag is (Source).
  void run(std::stop_token stop, Source& source, Schedule schedule);
  Clock::Instant instant_of(std::int64_t unix_seconds) const;
  Clock::Instant remember_due(const std::string& source, Clock::Instant due);
  // Shows each hashtag's interval and next poll on /metrics and the API.
  void show_schedule(const Source& source, const Schedule& schedule);

  std::vector<std::shared_ptr<Source>> sources_;
  Collector& collector_;
  Clock& clock_;
  mutable std::mutex mutex_;
  Due due_;
  std::atomic<std::size_t> running_{0};
  std::vector<std::jthread> threads_;
};

}  // namespace hashtag_exporter
