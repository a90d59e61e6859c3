#include "commands.hpp"

#include <unistd.h>

#include <climits>
#include <stdexcept>
#include <string>

namespace hashtag_exporter::app {

void check_shard_flags(const CommonOptions& options) {
  if (!options.shard_index_from_hostname) {
    make_shard(options.shard_index.value_or(0), options.shard_count);
  } else if (options.shard_index) {
    throw std::invalid_argument(
        "--shard.index: cannot be combined with --shard.index-from-hostname, which takes the "
        "index from the hostname");
  }
}

Shard selected_shard(const CommonOptions& options) {
  if (!options.shard_index_from_hostname) {
    return make_shard(options.shard_index.value_or(0), options.shard_count);
  }
  char hostname[HOST_NAME_MAX + 1] = {};
  gethostname(hostname, sizeof hostname - 1);
  return make_shard(shard_index_from_hostname(hostname), options.shard_count);
}

}  // namespace hashtag_exporter::app
