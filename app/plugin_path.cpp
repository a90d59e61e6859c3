#include "build_info.hpp"
#include "commands.hpp"

#include <unistd.h>

#include <climits>

namespace hashtag_exporter::app {

std::vector<std::filesystem::path> default_plugin_path() {
  std::vector<std::filesystem::path> folders;
  char self[PATH_MAX];
  const auto length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (length > 0) {
    folders.push_back(std::filesystem::path(std::string(self, static_cast<std::size_t>(length)))
                          .parent_path() / "plugins");
  }
  folders.emplace_back(build::kPluginInstallDir);
  return folders;
}

}  // namespace hashtag_exporter::app
