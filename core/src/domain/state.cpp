#include <hashtag_exporter/state.hpp>

namespace hashtag_exporter {

StateStore::StateStore() : state_(std::make_shared<const ExporterState>()) {}

std::shared_ptr<const ExporterState> StateStore::current() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::uint64_t StateStore::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void StateStore::update(const std::function<void(ExporterState&)>& change) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<ExporterState>(*state_);
  change(*next);
  state_ = std::move(next);
  ++generation_;
}

}  // namespace hashtag_exporter
