#pragma once

#include <hashtag_exporter/clock.hpp>
#include <hashtag_exporter/collector.hpp>
#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin_host.hpp>
#include <hashtag_exporter/shard.hpp>
#include <hashtag_exporter/source.hpp>

#include <filesystem>
#include <memory>
#include <vector>

namespace hashtag_exporter {

// A validated configuration with the plugins its sources name loaded and every source created.
struct Setup {
  Config config;
  std::vector<std::shared_ptr<Source>> sources;

  // Every source as Collector::track takes it: its config and its plugin.
  std::vector<SourceState> tracked() const;
};

// Loads the config file, keeps the hashtags `shard` owns, loads from the plugin path (the
// config's, or `default_plugin_path` when the config sets none) the plugins the sources name,
// and no other, and creates every source, so that any error shows before anything runs. Throws
// ConfigError; a plugin that is missing or rejected is reported at the line of the source's
// `plugin` key. The sources time their rounds with `clock`.
Setup prepare(const std::filesystem::path& config_file,
              const std::vector<std::filesystem::path>& default_plugin_path, Shard shard = {},
              Clock& clock = system_clock());

}  // namespace hashtag_exporter
