#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/service.hpp>

#include <ctime>

namespace hashtag_exporter {

CollectionService::CollectionService(std::filesystem::path config_file,
                                     std::vector<std::filesystem::path> default_plugin_path,
                                     Shard shard)
    : config_file_(std::move(config_file)),
      default_plugin_path_(std::move(default_plugin_path)),
      shard_(shard) {
  setup_ = std::make_unique<Setup>(prepare(config_file_, default_plugin_path_, shard_));
  store_ = std::make_unique<HistoryStore>(setup_->config.storage_path);
  collector_ = std::make_unique<Collector>(*store_, state_, setup_->config.growth_windows,
                                           setup_->config.retention);
  collector_->track(setup_->tracked());
  state_.update([this](ExporterState& state) {
    state.shard = shard_;
    state.config_last_reload_successful = true;
    state.config_last_reload_success_timestamp = std::time(nullptr);
  });
  ready_ = true;
}

CollectionService::~CollectionService() { stop(); }

void CollectionService::start() {
  std::lock_guard lock(reload_mutex_);
  scheduler_ = std::make_unique<Scheduler>(setup_->sources, *collector_);
}

void CollectionService::stop() {
  std::lock_guard lock(reload_mutex_);
  if (scheduler_) scheduler_->abandon();
  scheduler_.reset();
}

std::optional<std::string> CollectionService::reload() {
  std::lock_guard lock(reload_mutex_);
  std::unique_ptr<Setup> next;
  std::string error;
  try {
    next = std::make_unique<Setup>(prepare(config_file_, default_plugin_path_, shard_));
    if (next->config.storage_path != setup_->config.storage_path) {
      error = "storage.path cannot change on reload (restart to move the history)";
    } else if (next->config.growth_windows.size() != setup_->config.growth_windows.size() ||
               !std::equal(next->config.growth_windows.begin(), next->config.growth_windows.end(),
                           setup_->config.growth_windows.begin(),
                           [](const auto& a, const auto& b) { return a.label == b.label; }) ||
               next->config.retention != setup_->config.retention) {
      error = "growth windows and retention cannot change on reload (restart to apply them)";
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    log::error("config reload failed, keeping the running config",
               {{"file", config_file_.string()}, {"err", error}});
    state_.update([](ExporterState& state) { state.config_last_reload_successful = false; });
    return error;
  }
  const bool running = scheduler_ != nullptr;
  const auto due = running ? scheduler_->due() : Scheduler::Due{};
  scheduler_.reset();
  setup_ = std::move(next);
  collector_->track(setup_->tracked());
  state_.update([](ExporterState& state) {
    state.config_last_reload_successful = true;
    state.config_last_reload_success_timestamp = std::time(nullptr);
  });
  if (running) scheduler_ = std::make_unique<Scheduler>(setup_->sources, *collector_, due);
  log::info("config reloaded", {{"file", config_file_.string()}});
  return std::nullopt;
}

}  // namespace hashtag_exporter
