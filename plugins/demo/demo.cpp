// An offline source of synthetic counts, so the whole pipeline can be seen without an API key.
//
// Every hashtag gets a starting size and a daily growth rate derived from a hash of the seed and
// the hashtag, and grows at that rate through a 30-day cycle that then starts again: the values
// are deterministic for a seed and a time, plausible in size, and clearly not real data.
#include <hashtag_exporter/plugin/sdk.hpp>

#include <cmath>
#include <cstdint>
#include <string>

namespace {

namespace sdk = hashtag_exporter::sdk;

constexpr double kSecondsPerDay = 86400.0;
constexpr double kCycleDays = 30.0;

std::uint64_t fnv1a(std::uint64_t seed, const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL ^ seed;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// A number in [0, 1) from the 16 bits of the hash that start at bit `shift`.
double fraction(std::uint64_t hash, int shift) {
  return static_cast<double>((hash >> shift) & 0xFFFF) / 65536.0;
}

class DemoSource : public sdk::Source {
 public:
  DemoSource(const sdk::Host& host, sdk::Settings& settings)
      : host_(host),
        seed_(static_cast<std::uint64_t>(settings.integer("seed", 1, 0, INT64_MAX))),
        speedup_(static_cast<double>(settings.integer("speedup", 1, 1, 1'000'000))) {}

  void collect(std::span<const std::string> hashtags, sdk::Results& results) override {
    const double demo_days =
        static_cast<double>(host_.now_unix_seconds()) * speedup_ / kSecondsPerDay;
    const double day_in_cycle = std::fmod(demo_days, kCycleDays);
    for (const auto& hashtag : hashtags) {
      const std::uint64_t hash = fnv1a(seed_, hashtag);
      const double base_videos = 20'000.0 + fraction(hash, 0) * 2'000'000.0;
      const double daily_growth = 0.005 + fraction(hash, 16) * 0.145;  // 0.5 % to 15 % a day
      const double views_per_video = 80.0 + fraction(hash, 32) * 400.0;
      const double videos = base_videos * std::pow(1.0 + daily_growth, day_in_cycle);
      results.sample(hashtag, static_cast<std::int64_t>(videos),
                     static_cast<std::int64_t>(videos * views_per_video));
    }
  }

 private:
  sdk::Host host_;
  std::uint64_t seed_;
  double speedup_;
};

}  // namespace

HASHTAG_EXPORTER_PLUGIN(DemoSource, "demo", "1.0.0")
