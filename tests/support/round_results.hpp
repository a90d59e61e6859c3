#pragma once

#include <hashtag_exporter/source.hpp>

#include <string>

namespace hashtag_exporter::testing {

// The result a collection round holds for one hashtag, or null when it holds none of that kind.
inline const Snapshot* snapshot_of(const CollectionRound& round, const std::string& hashtag) {
  for (const auto& snapshot : round.snapshots) {
    if (snapshot.hashtag == hashtag) return &snapshot;
  }
  return nullptr;
}

inline const CollectFailure* failure_of(const CollectionRound& round, const std::string& hashtag) {
  for (const auto& failure : round.failures) {
    if (failure.hashtag == hashtag) return &failure;
  }
  return nullptr;
}

}  // namespace hashtag_exporter::testing
