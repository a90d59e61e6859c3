#pragma once

#include <hashtag_exporter/plugin/abi.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hashtag_exporter {

class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PluginDescription {
  std::filesystem::path file;
  std::string name;
  std::string version;
  std::uint32_t abi_version = 0;
};

// A plugin library kept mapped for as long as anything holds it: every instance it creates holds
// it too, because code and data of an unloaded library dangle.
class LoadedPlugin {
 public:
  // Loads `file`, reads its ABI version before calling anything, then its function table.
  // Throws PluginError naming the file (and both versions on a mismatch).
  static std::shared_ptr<const LoadedPlugin> load(const std::filesystem::path& file);
  ~LoadedPlugin();

  const PluginDescription& description() const;
  const hx_plugin& table() const;

 private:
  struct Impl;
  explicit LoadedPlugin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct PluginRejection {
  std::filesystem::path file;
  std::string reason;
};

// Every plugin found in the plugin folders (files ending in .so), by name.
class PluginCatalog {
 public:
  // Folders are searched in order and files by name; a name already provided by an earlier file
  // is rejected as a duplicate. Missing folders are rejected, not fatal.
  static PluginCatalog scan(const std::vector<std::filesystem::path>& folders);

  // The plugin called `name`; throws PluginError listing the folders searched and the plugins
  // found, and why any file was rejected.
  std::shared_ptr<const LoadedPlugin> get(std::string_view name) const;

  const std::vector<std::shared_ptr<const LoadedPlugin>>& plugins() const { return plugins_; }
  const std::vector<PluginRejection>& rejected() const { return rejected_; }
  const std::vector<std::filesystem::path>& folders() const { return folders_; }

 private:
  std::vector<std::filesystem::path> folders_;
  std::vector<std::shared_ptr<const LoadedPlugin>> plugins_;
  std::vector<PluginRejection> rejected_;
};

}  // namespace hashtag_exporter
