#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/reload_rules.hpp>
#include <hashtag_exporter/service.hpp>

namespace hashtag_exporter {

CollectionService::CollectionService(std::filesystem::path config_file,
                                     std::vector<std::filesystem::path> default_plugin_path,
                                     Shard shard, Clock& clock)
    : config_file_(std::move(config_file)),
      default_plugin_path_(std::move(default_plugin_path)),
      shard_(shard),
      clock_(clock) {
  setup_ = std::make_unique<Setup>(prepare(config_file_, default_plugin_path_, shard_, clock_));
  store_ = std::make_unique<HistoryStore>(setup_->config.storage_path);
  collector_ = std::make_unique<Collector>(*store_, state_, setup_->config.growth_windows,
                                           setup_->config.retention);
  collector_->track(setup_->tracked());
  state_.update([this](ExporterState& state) {
    state.shard = shard_;
    state.config_last_reload_successful = true;
    state.config_last_reload_success_timestamp = clock_.unix_seconds();
  });
  ready_ = true;
}

CollectionService::~CollectionService() { stop(); }

void CollectionService::start() {
  std::lock_guard lock(reload_mutex_);
  scheduler_ = std::make_unique<Scheduler>(setup_->sources, *collector_, clock_);
}

void CollectionService::stop() {
  std::lock_guard lock(reload_mutex_);
  // Every round is told first, so that they all give up together rather than one by one.
  if (scheduler_) scheduler_->cancel();
  for (const auto& retired : retired_) retired->cancel();
  scheduler_.reset();
  retired_.clear();
}

std::optional<std::string> CollectionService::reload() {
  std::lock_guard lock(reload_mutex_);
  std::unique_ptr<Setup> next;
  std::optional<std::string> error;
  try {
    next = std::make_unique<Setup>(prepare(config_file_, default_plugin_path_, shard_, clock_));
    error = reload_refusal(setup_->config, next->config);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (error) {
    log::error("config reload failed, keeping the running config",
               {{"file", config_file_.string()}, {"err", *error}});
    state_.update([](ExporterState& state) { state.config_last_reload_successful = false; });
    return error;
  }
  for (const auto& source : next->sources) {
    for (const auto& previous : setup_->sources) {
      if (previous->config().name == source->config().name) source->take_over(*previous);
    }
  }
  std::erase_if(retired_, [](const auto& scheduler) { return scheduler->finished(); });
  const bool running = scheduler_ != nullptr;
  Scheduler::Due due;
  if (running) {
    due = scheduler_->due();
    scheduler_->request_stop();
    retired_.push_back(std::move(scheduler_));
  }
  setup_ = std::move(next);
  collector_->track(setup_->tracked());
  state_.update([this](ExporterState& state) {
    state.config_last_reload_successful = true;
    state.config_last_reload_success_timestamp = clock_.unix_seconds();
  });
  if (running) scheduler_ = std::make_unique<Scheduler>(setup_->sources, *collector_, clock_, due);
  log::info("config reloaded", {{"file", config_file_.string()}});
  return std::nullopt;
}

}  // namespace hashtag_exporter
