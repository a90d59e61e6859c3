#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/scheduler.hpp>
#include <hashtag_exporter/time_arithmetic.hpp>

#include <limits>

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
  const bool adaptive = source.config().schedule == ScheduleKind::adaptive;
  const auto due = [&] { return adaptive ? instant_of(source.next_due()) : schedule.due(); };
  try {
    source.reschedule(*collector_.current());  // hashtags with history are not due at once
  } catch (const std::exception& e) {
    log::error("scheduling failed", {{"source", name}, {"err", e.what()}});
  }
  show_schedule(source, schedule);
  while (clock_.sleep_until(remember_due(name, due()), stop)) {
    if (!adaptive) {
      schedule.start_round();
      remember_due(name, schedule.due());
    }
    try {
      collector_.record(source.collect());
      source.reschedule(*collector_.current());
    } catch (const std::exception& e) {
      log::error("collection failed", {{"source", name}, {"err", e.what()}});
    }
    schedule.finish_round(clock_.monotonic());
    show_schedule(source, schedule);
  }
  --running_;
}

Clock::Instant Scheduler::instant_of(std::int64_t unix_seconds) const {
  const auto from_now =
      std::chrono::seconds(unix_seconds) - std::chrono::seconds(clock_.unix_seconds());
  return saturating_add(clock_.monotonic(), from_now);
}

Clock::Instant Scheduler::remember_due(const std::string& source, Clock::Instant due) {
  std::lock_guard lock(mutex_);
  due_[source] = due;
  return due;
}

void Scheduler::show_schedule(const Source& source, const Schedule& schedule) {
  if (source.config().schedule == ScheduleKind::adaptive) {
    collector_.show_schedule(source.config().name, source.polls());
    return;
  }
  const auto& config = source.config();
  const auto wait = std::chrono::ceil<std::chrono::seconds>(schedule.due() - clock_.monotonic());
  const auto next = schedule.due() == Clock::Instant::max()
                        ? std::numeric_limits<std::int64_t>::max()
                        : clock_.unix_seconds() + std::max<std::int64_t>(0, wait.count());
  std::vector<PollStatus> polls;
  polls.reserve(config.hashtags.size());
  for (const auto& hashtag : config.hashtags) polls.push_back({hashtag, config.interval, next});
  collector_.show_schedule(config.name, polls);
}

}  // namespace hashtag_exporter
