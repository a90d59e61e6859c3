#include <hashtag_exporter/plugin_host.hpp>

#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <fstream>
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
  if (in.gcount() != 4 || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F') {
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
  if (table == nullptr || table->abi_version != HX_PLUGIN_ABI_VERSION ||
      table->struct_size < sizeof(hx_plugin) || table->name == nullptr ||
      table->version == nullptr || table->create == nullptr || table->collect == nullptr ||
      table->destroy == nullptr) {
    throw PluginError(file.string() + ": the plugin's function table is incomplete");
  }
  impl->table = table;
  impl->description.name = table->name;
  impl->description.version = table->version;
  return std::shared_ptr<const LoadedPlugin>(new LoadedPlugin(std::move(impl)));
}

const PluginDescription& LoadedPlugin::description() const { return impl_->description; }
const hx_plugin& LoadedPlugin::table() const { return *impl_->table; }

PluginCatalog PluginCatalog::scan(const std::vector<std::filesystem::path>& folders) {
  PluginCatalog catalog;
  catalog.folders_ = folders;
  for (const auto& folder : folders) {
    std::error_code error;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    if (error) {
      catalog.rejected_.push_back(
          {folder, folder.string() + ": cannot read plugin folder: " + error.message()});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        auto plugin = LoadedPlugin::load(file);
        const auto& name = plugin->description().name;
        const auto existing =
            std::find_if(catalog.plugins_.begin(), catalog.plugins_.end(),
                         [&](const auto& p) { return p->description().name == name; });
        if (existing != catalog.plugins_.end()) {
          catalog.rejected_.push_back({file, "duplicate plugin name \"" + name +
                                                 "\", already provided by " +
                                                 (*existing)->description().file.string()});
          continue;
        }
        catalog.plugins_.push_back(std::move(plugin));
      } catch (const PluginError& e) {
        catalog.rejected_.push_back({file, e.what()});
      }
    }
  }
  return catalog;
}

std::shared_ptr<const LoadedPlugin> PluginCatalog::get(std::string_view name) const {
  for (const auto& plugin : plugins_) {
    if (plugin->description().name == name) return plugin;
  }
  std::string message = "no plugin named \"" + std::string(name) + "\" in the plugin path [";
  for (std::size_t i = 0; i < folders_.size(); ++i) {
    message += (i ? ", " : "") + folders_[i].string();
  }
  message += "]; found: ";
  if (plugins_.empty()) message += "none";
  for (std::size_t i = 0; i < plugins_.size(); ++i) {
    message += (i ? ", " : "") + plugins_[i]->description().name;
  }
  for (const auto& rejection : rejected_) message += "; rejected " + rejection.reason;
  throw PluginError(message);
}

}  // namespace hashtag_exporter
