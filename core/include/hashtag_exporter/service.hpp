#pragma once

#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/scheduler.hpp>
#include <hashtag_exporter/setup.hpp>
#include <hashtag_exporter/state.hpp>
#include <hashtag_exporter/store.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hashtag_exporter {

// What `serve` runs: the history, the state and the scheduled collection of every source,
// reloadable from the config file.
class CollectionService {
 public:
  // Prepares the config and plugins, opens the history and restores the latest values.
  // Throws ConfigError or StoreError.
  CollectionService(std::filesystem::path config_file,
                    std::vector<std::filesystem::path> default_plugin_path, Shard shard = {});
  ~CollectionService();

  void start();
  // Abandons outstanding API requests, stores what the rounds in progress fetched, and stops.
  void stop();

  // Validates the config file and its plugins again and swaps them in; on any error the running
  // configuration stays and the error text is returned.
  std::optional<std::string> reload();

  StateStore& state() { return state_; }
  bool ready() const { return ready_; }

 private:
  std::filesystem::path config_file_;
  std::vector<std::filesystem::path> default_plugin_path_;
  Shard shard_;
  std::mutex reload_mutex_;
  std::unique_ptr<Setup> setup_;
  std::unique_ptr<HistoryStore> store_;
  StateStore state_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<Scheduler> scheduler_;
  std::atomic<bool> ready_{false};
};

}  // namespace hashtag_exporter
