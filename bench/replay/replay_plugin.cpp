// The replay benchmark's source: answers every fetch with the trace's counts at the host's
// (simulated) time, so the real scheduler, collector and store run against a known truth.
#include <hashtag_exporter/plugin/sdk.hpp>

#include <cmath>
#include <map>

#include "trace.hpp"

namespace {

namespace sdk = hashtag_exporter::sdk;
namespace replay = hashtag_exporter::replay;

class ReplaySource : public sdk::Source {
 public:
  ReplaySource(const sdk::Host& host, sdk::Settings& settings)
      : host_(host),
        trace_(replay::TraceShape{
            .seed = static_cast<std::uint64_t>(settings.integer("seed", 1, 0, INT64_MAX)),
            .hashtags = static_cast<int>(settings.integer("hashtags", 1000, 1, 1'000'000)),
            .days = static_cast<int>(settings.integer("days", 30, 1, 3650)),
            .start = settings.integer("start", 1'767'225'600, 0, INT64_MAX)}) {
    for (std::size_t i = 0; i < trace_.hashtags().size(); ++i) {
      index_[trace_.hashtags()[i].name] = i;
    }
  }

  void collect(std::span<const std::string> hashtags, sdk::Results& results) override {
    const auto now = host_.now_unix_seconds();
    for (const auto& hashtag : hashtags) {
      const auto found = index_.find(hashtag);
      if (found == index_.end()) {
        results.failure(hashtag, HX_REASON_NOT_FOUND, "not in the trace");
        continue;
      }
      const double videos = trace_.videos(found->second, now);
      results.sample(hashtag, std::llround(videos),
                     std::llround(videos * trace_.hashtags()[found->second].views_per_video));
    }
  }

 private:
  sdk::Host host_;
  replay::Trace trace_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace

HASHTAG_EXPORTER_PLUGIN(ReplaySource, "replay", "1.0.0")
