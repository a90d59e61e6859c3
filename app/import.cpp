#include "commands.hpp"

#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/import.hpp>
#include <hashtag_exporter/store.hpp>

#include <iostream>

namespace hashtag_exporter::app {

int run_import(const CommonOptions& options, const ImportCommandOptions& import) {
  try {
    const auto config = load_config(options.config_file);
    const auto shard = selected_shard(options);
    auto snapshots = read_import_file(import.file, import.source);
    // A sharded exporter keeps only its own hashtags, so that after a change of --shard.count
    // each shard imports the old shards' histories and every hashtag keeps its history once.
    const auto others = std::erase_if(
        snapshots, [&](const Snapshot& s) { return !shard.owns(s.source, s.hashtag); });
    HistoryStore store(config.storage_path);
    const auto added = store.import(snapshots);
    std::cout << "imported " << added << " new snapshots from " << import.file.string() << " ("
              << snapshots.size() - added << " already stored";
    if (others > 0) {
      std::cout << ", " << others << " left to the other shards: this is shard " << shard.index
                << " of " << shard.count;
    }
    std::cout << ")\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

}  // namespace hashtag_exporter::app
