#pragma once

#include <hashtag_exporter/clock.hpp>
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
                    std::vector<std::filesystem::path> default_plugin_path, Shard shard = {},
                    Clock& clock = system_clock());
  ~CollectionService();

  void start();
  // Cancels the rounds in progress, those a reload left running too: they give up their
  // outstanding API requests at once, and what they already fetched is stored. Then stops. How
  // long this takes depends on how fast a cancelled plugin returns, never on the API.
  void stop();

  // Validates the config file and its plugins again (reload_refusal) and swaps them in at once;
  // on any error the running configuration stays and the error text is returned. Never waits
  // for the network: a round in progress finishes on the configuration it started with, and is
  // recorded, while the new configuration's schedule carries on from the old one's due times.
  std::optional<std::string> reload();

  StateStore& state() { return state_; }
  bool ready() const { return ready_; }

 private:
  std::filesystem::path config_file_;
  std::vector<std::filesystem::path> default_plugin_path_;
  Shard shard_;
  Clock& clock_;
  std::mutex reload_mutex_;
  std::unique_ptr<Setup> setup_;
  std::unique_ptr<HistoryStore> store_;
  StateStore state_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<Scheduler> scheduler_;
  // Schedulers replaced by reloads, whose last round may still be running.
  std::vector<std::unique_ptr<Scheduler>> retired_;
  std::atomic<bool> ready_{false};
};

}  // namespace hashtag_exporter
