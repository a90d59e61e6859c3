#include <hashtag_exporter/setup.hpp>

namespace hashtag_exporter {

std::vector<SourceState> Setup::tracked() const {
  std::vector<SourceState> tracked;
  for (const auto& source : sources) {
    tracked.emplace_back(std::make_shared<const SourceConfig>(source->config()), source->plugin());
  }
  return tracked;
}

Setup prepare(const std::filesystem::path& config_file,
              const std::vector<std::filesystem::path>& default_plugin_path, Shard shard,
              Clock& clock) {
  Setup setup{load_config(config_file), {}};
  for (auto& source : setup.config.sources) {
    std::erase_if(source.hashtags,
                  [&](const std::string& hashtag) { return !shard.owns(source.name, hashtag); });
  }
  const PluginPath plugin_path(setup.config.plugin_path.empty() ? default_plugin_path
                                                                : setup.config.plugin_path);
  for (const auto& source : setup.config.sources) {
    std::shared_ptr<const LoadedPlugin> plugin;
    try {
      plugin = plugin_path.load(source.plugin);
    } catch (const PluginError& e) {
      throw ConfigError(source.location, source.key + ".plugin", e.what());
    }
    setup.sources.push_back(std::make_shared<Source>(source, std::move(plugin), clock));
  }
  return setup;
}

}  // namespace hashtag_exporter
