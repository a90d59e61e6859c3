#pragma once

#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/source.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <string>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hashtag_exporter {

// Collects each source on its own interval, on a thread of its own, the first time right away
// unless `due` (from a previous scheduler, across a reload) says when the source is next due.
class Scheduler {
 public:
  using Due = std::map<std::string, std::chrono::steady_clock::time_point>;

  Scheduler(std::vector<std::shared_ptr<Source>> sources, Collector& collector, Due due = {});
  // Stops and waits for the rounds in progress to finish.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void stop();
  // Stops without waiting for outstanding API requests: rounds in progress give them up at once
  // (what was already fetched is still stored), so shutdown takes a bounded time.
  void abandon();
  // When each source is next due; pass it to the next scheduler so a reload does not collect
  // (and spend API credits) early.
  Due due() const;

 private:
  void run(Source& source, std::chrono::steady_clock::time_point next);

  std::vector<std::shared_ptr<Source>> sources_;
  Collector& collector_;
  mutable std::mutex mutex_;
  Due due_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace hashtag_exporter
