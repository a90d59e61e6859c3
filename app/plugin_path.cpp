#include "build_info.hpp"
#include "commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <climits>

namespace hashtag_exporter::app {

std::vector<std::filesystem::path> default_plugin_path() {
  std::vector<std::filesystem::path> candidates;
  char self[PATH_MAX];
  const auto length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (length > 0) {
    const auto folder =
        std::filesystem::path(std::string(self, static_cast<std::size_t>(length))).parent_path();
    candidates.push_back(folder / "plugins");
    candidates.push_back((folder / build::kPluginDirFromBinary).lexically_normal());
  }
  candidates.emplace_back(build::kPluginInstallDir);
  // Only one of them exists in a build tree or an installation; the other is not an error.
  std::vector<std::filesystem::path> folders;
  for (auto& candidate : candidates) {
    std::error_code error;
    if (!std::filesystem::is_directory(candidate, error)) continue;
    // The folder beside the binary and the configured install folder may be the same one.
    const bool seen = std::any_of(folders.begin(), folders.end(), [&](const auto& folder) {
      std::error_code ignored;
      return std::filesystem::equivalent(folder, candidate, ignored);
    });
    if (!seen) folders.push_back(std::move(candidate));
  }
  return folders;
}

}  // namespace hashtag_exporter::app
