#include "commands.hpp"

#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/import.hpp>
#include <hashtag_exporter/store.hpp>

#include <iostream>

namespace hashtag_exporter::app {

int run_import(const CommonOptions& options, const ImportCommandOptions& import) {
  try {
    const auto config = load_config(options.config_file);
    const auto snapshots = read_import_file(import.file, import.source);
    HistoryStore store(config.storage_path);
    const auto added = store.import(snapshots);
    std::cout << "imported " << added << " new snapshots from " << import.file.string() << " ("
              << snapshots.size() - added << " already stored)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

}  // namespace hashtag_exporter::app
