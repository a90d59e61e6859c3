#include "commands.hpp"

#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin_host.hpp>

#include <fmt/format.h>

#include <iostream>

namespace hashtag_exporter::app {

int run_plugins(const CommonOptions& options) {
  auto folders = default_plugin_path();
  if (std::filesystem::exists(options.config_file)) {
    try {
      const auto config = load_config(options.config_file);
      if (!config.plugin_path.empty()) folders = config.plugin_path;
    } catch (const ConfigError& e) {
      std::cerr << e.what() << "\n";
      return 1;
    }
  }
  const auto catalog = PluginCatalog::scan(folders);
  std::cout << "Plugin path:";
  for (const auto& folder : folders) std::cout << " " << folder.string();
  std::cout << "\n\n" << fmt::format("{:<16} {:<10} {:<4} {}\n", "NAME", "VERSION", "ABI", "FILE");
  for (const auto& plugin : catalog.plugins()) {
    const auto& d = plugin->description();
    std::cout << fmt::format("{:<16} {:<10} {:<4} {}\n", d.name, d.version, d.abi_version,
                             d.file.string());
  }
  if (!catalog.rejected().empty()) {
    std::cout << "\nRejected:\n";
    for (const auto& rejection : catalog.rejected()) std::cout << "  " << rejection.reason << "\n";
  }
  return 0;
}

}  // namespace hashtag_exporter::app
