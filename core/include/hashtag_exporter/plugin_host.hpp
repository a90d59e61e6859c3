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

// The plugin files on a plugin path, found by their names without loading any: the plugin
// `name` is in the first file `<name>.so` in folder order, as a shell finds a command on PATH.
// Only the plugins a config names are loaded, so a broken library on the path that no source
// uses (one that aborts when loaded, say) cannot stop the exporter.
class PluginPath {
 public:
  // Lists the folders; one that cannot be read is noted, not fatal.
  explicit PluginPath(std::vector<std::filesystem::path> folders);

  // Loads the plugin `name` from its file and checks that the plugin declares that name. Throws
  // PluginError naming the file (see LoadedPlugin::load), or, when no folder has the file,
  // listing the folders searched, the plugin names on the path and the unreadable folders.
  std::shared_ptr<const LoadedPlugin> load(std::string_view name) const;

  // Every file ending in .so, in search order: folder by folder, by name within a folder.
  const std::vector<std::filesystem::path>& files() const { return files_; }
  const std::vector<PluginRejection>& unreadable_folders() const { return unreadable_folders_; }

 private:
  std::vector<std::filesystem::path> folders_;
  std::vector<std::filesystem::path> files_;
  std::vector<PluginRejection> unreadable_folders_;
};

// Every plugin file on a plugin path loaded, for listing them all (`hashtag_exporter plugins`):
// each file is loaded as the plugin of its file name, so a file the lookup would never use
// (shadowed by an earlier file of the same name, or declaring another name) is a rejection.
class PluginCatalog {
 public:
  static PluginCatalog scan(const std::vector<std::filesystem::path>& folders);

  const std::vector<std::shared_ptr<const LoadedPlugin>>& plugins() const { return plugins_; }
  const std::vector<PluginRejection>& rejected() const { return rejected_; }

 private:
  std::vector<std::shared_ptr<const LoadedPlugin>> plugins_;
  std::vector<PluginRejection> rejected_;
};

}  // namespace hashtag_exporter
