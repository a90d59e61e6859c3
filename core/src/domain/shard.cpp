#include <hashtag_exporter/shard.hpp>

#include <charconv>
#include <string>

namespace hashtag_exporter {

std::uint32_t shard_of(std::string_view source, std::string_view hashtag, std::uint32_t count) {
  std::uint64_t hash = 14695981039346656037ULL;
  const auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  };
  for (const unsigned char c : source) mix(c);
  mix(0);
  for (const unsigned char c : hashtag) mix(c);
  return static_cast<std::uint32_t>(hash % count);
}

bool Shard::owns(std::string_view source, std::string_view hashtag) const {
  return shard_of(source, hashtag, count) == index;
}

Shard make_shard(std::uint32_t index, std::uint32_t count) {
  if (count < 1) throw std::invalid_argument("--shard.count must be at least 1");
  if (index >= count) {
    throw std::invalid_argument("--shard.index " + std::to_string(index) +
                                " must be below --shard.count " + std::to_string(count));
  }
  return {index, count};
}

std::uint32_t shard_index_from_hostname(std::string_view hostname) {
  const auto dash = hostname.rfind('-');
  std::uint32_t index = 0;
  if (dash != std::string_view::npos && dash + 1 < hostname.size()) {
    const auto* const end = hostname.data() + hostname.size();
    const auto result = std::from_chars(hostname.data() + dash + 1, end, index);
    if (result.ec == std::errc() && result.ptr == end) return index;
  }
  throw std::invalid_argument("--shard.index-from-hostname: hostname \"" + std::string(hostname) +
                              "\" does not end in -N (a StatefulSet pod ordinal)");
}

}  // namespace hashtag_exporter
