#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/scheduler.hpp>
#include <hashtag_exporter/time_arithmetic.hpp>

#include <algorithm>

namespace hashtag_exporter {

Scheduler::Scheduler(std::vector<std::shared_ptr<Source>> sources, Collector& collector, Due due)
    : sources_(std::move(sources)), collector_(collector) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& source : sources_) {
    const auto previous = due.find(source->config().name);
    const auto first =
        previous == due.end()
            ? now
            : std::min(previous->second, saturating_add(now, source->config().interval));
    due_[source->config().name] = first;
    threads_.emplace_back([this, source, first] { run(*source, first); });
  }
}

Scheduler::Due Scheduler::due() const {
  std::lock_guard lock(mutex_);
  return due_;
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::abandon() {
  for (const auto& source : sources_) source->cancel();
  stop();
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  threads_.clear();  // joins
}

void Scheduler::run(Source& source, std::chrono::steady_clock::time_point next) {
  const auto interval = source.config().interval;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
      next = saturating_add(next, interval);
      due_[source.config().name] = next;
    }
    try {
      collector_.record(source.collect());
    } catch (const std::exception& e) {
      log::error("collection failed", {{"source", source.config().name}, {"err", e.what()}});
    }
    // A round longer than the interval starts the next one right away, without a backlog.
    std::lock_guard lock(mutex_);
    next = std::max(next, std::chrono::steady_clock::now());
    due_[source.config().name] = next;
  }
}

}  // namespace hashtag_exporter
