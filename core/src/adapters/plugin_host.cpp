#include <hashtag_exporter/plugin_host.hpp>

#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>

namespace hashtag_exporter {
namespace {

// dlopen's own messages are obscure for the most common mistakes; say what is wrong first.
void check_is_shared_library(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    throw PluginError(file.string() + ": no such plugin file");
  }
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  if (in.gcount() != 4 || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' ||
      magic[3] != 'F') {
    throw PluginError(file.string() + ": not a shared library (no ELF header)");
  }
}

}  // namespace

struct LoadedPlugin::Impl {
  boost::dll::shared_library library;
  const hx_plugin* table = nullptr;
  PluginDescription description;
};

LoadedPlugin::LoadedPlugin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoadedPlugin::~LoadedPlugin() = default;

std::shared_ptr<const LoadedPlugin> LoadedPlugin::load(const std::filesystem::path& file) {
  check_is_shared_library(file);
  auto impl = std::make_unique<Impl>();
  impl->description.file = file;
  std::error_code error;
  impl->library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                     error);
  if (error) {
    // Boost.DLL keeps only an error code; dlerror() still holds the loader's explanation
    // (a missing dependency, an undefined symbol).
    const char* reason = dlerror();
    throw PluginError(file.string() + ": cannot load: " + (reason ? reason : error.message()));
  }
  if (!impl->library.has(HX_PLUGIN_ABI_VERSION_SYMBOL)) {
    throw PluginError(file.string() + ": not a hashtag_exporter plugin (no symbol " +
                      HX_PLUGIN_ABI_VERSION_SYMBOL + ")");
  }
  const auto abi_version = impl->library.get<const std::uint32_t>(HX_PLUGIN_ABI_VERSION_SYMBOL);
  impl->description.abi_version = abi_version;
  if (abi_version != HX_PLUGIN_ABI_VERSION) {
    throw PluginError(file.string() + ": plugin ABI version " + std::to_string(abi_version) +
                      " is not supported by this host, which supports ABI version " +
                      std::to_string(HX_PLUGIN_ABI_VERSION) + "; rebuild the plugin against " +
                      (abi_version > HX_PLUGIN_ABI_VERSION ? "this host's SDK or upgrade the host"
                                                           : "the current SDK"));
  }
  if (!impl->library.has(HX_PLUGIN_ENTRY_SYMBOL)) {
    throw PluginError(file.string() + ": ABI version " + std::to_string(abi_version) +
                      " but no entry symbol " + HX_PLUGIN_ENTRY_SYMBOL);
  }
  const auto entry = impl->library.get<const hx_plugin*()>(HX_PLUGIN_ENTRY_SYMBOL);
  const hx_plugin* table = entry();
  if (table == nullptr)
    throw PluginError(file.string() + ": the plugin returned no function table");
  // Exact version only (abi.h): the table must be of the version the symbol promised.
  if (table->abi_version != HX_PLUGIN_ABI_VERSION) {
    throw PluginError(file.string() + ": the plugin's function table is of ABI version " +
                      std::to_string(table->abi_version) + ", its symbol says " +
                      std::to_string(abi_version));
  }
  if (table->name == nullptr || table->version == nullptr || table->create == nullptr ||
      table->collect == nullptr || table->destroy == nullptr) {
    throw PluginError(file.string() + ": the plugin's function table is incomplete");
  }
  impl->table = table;
  impl->description.name = table->name;
  impl->description.version = table->version;
  return std::shared_ptr<const LoadedPlugin>(new LoadedPlugin(std::move(impl)));
}

const PluginDescription& LoadedPlugin::description() const { return impl_->description; }
const hx_plugin& LoadedPlugin::table() const { return *impl_->table; }

namespace {

// The name a plugin file provides: its file name without the .so ending.
std::string plugin_name(const std::filesystem::path& file) { return file.stem().string(); }

// Loads `file` as the plugin its file name promises.
std::shared_ptr<const LoadedPlugin> load_as(const std::filesystem::path& file,
                                            std::string_view name) {
  auto plugin = LoadedPlugin::load(file);
  const auto& declared = plugin->description().name;
  if (declared != name) {
    throw PluginError(file.string() + ": the plugin in this file is named \"" + declared +
                      "\", not \"" + std::string(name) +
                      "\" (a plugin is found by its file name, <name>.so)");
  }
  return plugin;
}

}  // namespace

PluginPath::PluginPath(std::vector<std::filesystem::path> folders) : folders_(std::move(folders)) {
  for (const auto& folder : folders_) {
    std::error_code error;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    if (error) {
      unreadable_folders_.push_back(
          {folder, folder.string() + ": cannot read plugin folder: " + error.message()});
      continue;
    }
    std::sort(files.begin(), files.end());
    files_.insert(files_.end(), files.begin(), files.end());
  }
}

std::shared_ptr<const LoadedPlugin> PluginPath::load(std::string_view name) const {
  // Matching listed file names, never building a path from `name`, keeps a name such as
  // "../lib" from reaching outside the plugin folders.
  const auto file = std::find_if(files_.begin(), files_.end(), [&](const auto& candidate) {
    return plugin_name(candidate) == name;
  });
  if (file != files_.end()) return load_as(*file, name);
  std::string message = "no plugin named \"" + std::string(name) + "\" in the plugin path [";
  for (std::size_t i = 0; i < folders_.size(); ++i) {
    message += (i ? ", " : "") + folders_[i].string();
  }
  message += "]; found: ";
  std::vector<std::string> names;
  for (const auto& candidate : files_) {
    auto found = plugin_name(candidate);
    if (std::find(names.begin(), names.end(), found) == names.end()) {
      names.push_back(std::move(found));
    }
  }
  if (names.empty()) message += "none";
  for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : "") + names[i];
  for (const auto& folder : unreadable_folders_) message += "; " + folder.reason;
  throw PluginError(message);
}

PluginCatalog PluginCatalog::scan(const std::vector<std::filesystem::path>& folders) {
  const PluginPath path(folders);
  PluginCatalog catalog;
  std::map<std::string, std::filesystem::path> first_file_of;
  for (const auto& file : path.files()) {
    const auto name = plugin_name(file);
    const auto [first, inserted] = first_file_of.try_emplace(name, file);
    if (!inserted) {
      catalog.rejected_.push_back({file, file.string() + ": shadowed by " + first->second.string() +
                                             ", earlier on the plugin path"});
      continue;
    }
    try {
      catalog.plugins_.push_back(load_as(file, name));
    } catch (const PluginError& e) {
      catalog.rejected_.push_back({file, e.what()});
    }
  }
  const auto& unreadable = path.unreadable_folders();
  catalog.rejected_.insert(catalog.rejected_.end(), unreadable.begin(), unreadable.end());
  return catalog;
}

}  // namespace hashtag_exporter
