#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/scheduler.hpp>

#include <optional>

namespace hashtag_exporter {

Scheduler::Scheduler(std::vector<std::shared_ptr<Source>> sources, Collector& collector,
                     Clock& clock, Due due)
    : sources_(std::move(sources)), collector_(collector), clock_(clock) {
  const auto now = clock_.monotonic();
  running_ = sources_.size();
  for (const auto& source : sources_) {
    const auto carried = due.find(source->config().name);
    const Schedule schedule(source->config().interval, now,
                            carried == due.end() ? std::nullopt : std::optional(carried->second));
    {
      std::lock_guard lock(mutex_);  // threads started before this one update due_
      due_[source->config().name] = schedule.due();
    }
    threads_.emplace_back(
        [this, source, schedule](std::stop_token stop) { run(stop, *source, schedule); });
  }
}

Scheduler::~Scheduler() { stop(); }

Scheduler::Due Scheduler::due() const {
  std::lock_guard lock(mutex_);
  return due_;
}

void Scheduler::request_stop() {
  for (auto& thread : threads_) thread.request_stop();
}

void Scheduler::cancel() {
  request_stop();
  for (const auto& source : sources_) source->cancel();
}

bool Scheduler::finished() const { return running_ == 0; }

void Scheduler::stop() {
  request_stop();
  threads_.clear();  // joins
}

void Scheduler::run(std::stop_token stop, Source& source, Schedule schedule) {
  const auto& name = source.config().name;
  while (clock_.sleep_until(schedule.due(), stop)) {
    schedule.start_round();
    {
      std::lock_guard lock(mutex_);
      due_[name] = schedule.due();
    }
    try {
      collector_.record(source.collect());
    } catch (const std::exception& e) {
      log::error("collection failed", {{"source", name}, {"err", e.what()}});
    }
    schedule.finish_round(clock_.monotonic());
    std::lock_guard lock(mutex_);
    due_[name] = schedule.due();
  }
  --running_;
}

}  // namespace hashtag_exporter
