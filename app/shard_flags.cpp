#include "commands.hpp"

#include <unistd.h>

#include <climits>
#include <string>

namespace hashtag_exporter::app {

Shard selected_shard(const CommonOptions& options) {
  if (!options.shard_index_from_hostname) {
    return make_shard(options.shard_index, options.shard_count);
  }
  char hostname[HOST_NAME_MAX + 1] = {};
  gethostname(hostname, sizeof hostname - 1);
  return make_shard(shard_index_from_hostname(hostname), options.shard_count);
}

}  // namespace hashtag_exporter::app
