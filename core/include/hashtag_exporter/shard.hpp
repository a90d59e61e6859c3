#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hashtag_exporter {

// Which part of the hashtags this exporter owns when several share the work. Every
// (source, hashtag) belongs to exactly one shard, decided by a stable hash, so the split is the
// same across restarts, machines and versions.
struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;

  bool owns(std::string_view source, std::string_view hashtag) const;
};

// The shard of a (source, hashtag) pair among `count` shards (FNV-1a 64 of "source\0hashtag").
std::uint32_t shard_of(std::string_view source, std::string_view hashtag, std::uint32_t count);

// Checks index < count and count >= 1; throws std::invalid_argument naming the flags.
Shard make_shard(std::uint32_t index, std::uint32_t count);

// The index at the end of a StatefulSet pod's hostname ("hashtag-exporter-2" -> 2); throws
// std::invalid_argument when the hostname has no trailing "-N".
std::uint32_t shard_index_from_hostname(std::string_view hostname);

}  // namespace hashtag_exporter
