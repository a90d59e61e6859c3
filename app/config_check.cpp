#include "commands.hpp"

#include <hashtag_exporter/prometheus/web_config.hpp>
#include <hashtag_exporter/setup.hpp>

#include <iostream>

namespace hashtag_exporter::app {

int run_config_check(const CommonOptions& options) {
  try {
    const auto shard = selected_shard(options);
    const auto setup = prepare(options.config_file, default_plugin_path(), shard);
    std::size_t hashtags = 0;
    for (const auto& source : setup.config.sources) hashtags += source.hashtags.size();
    std::cout << "OK: " << options.config_file.string() << ": " << setup.sources.size()
              << " sources, " << hashtags << " hashtags";
    if (shard.count > 1) std::cout << " in shard " << shard.index << " of " << shard.count;
    std::cout << "\n";
    if (!options.web_config_file.empty()) {
      const auto web = prometheus_exporter::load_web_config(options.web_config_file);
      std::cout << "OK: " << options.web_config_file << ": TLS " << (web.tls ? "on" : "off") << ", "
                << web.basic_auth_users.size() << " basic auth users\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "FAILED: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace hashtag_exporter::app
