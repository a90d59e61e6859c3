#pragma once

// The replay benchmark's trace: hashtags whose counts follow a seeded model, the same in the
// replay plugin (which answers the exporter's fetches) and in the driver (which knows the truth).

#include <cstdint>
#include <string>
#include <vector>

namespace hashtag_exporter::replay {

enum class Kind { steady, fast, breakout };

struct TraceShape {
  std::uint64_t seed = 1;
  int hashtags = 1000;
  int days = 30;
  std::int64_t start = 1'767'225'600;  // 2026-01-01T00:00:00Z
};

struct HashtagTrace {
  std::string name;
  Kind kind = Kind::steady;
  double videos_at_start = 0;
  double views_per_video = 0;
  // Breakouts: when the rise starts (Unix seconds), how long it takes, and the %/day it ends at.
  std::int64_t breakout_start = 0;
  double ramp_seconds = 0;
  double peak_percent_per_day = 0;
  // ln(count / count at start) every kStepSeconds from the start.
  std::vector<double> log_growth;
};

class Trace {
 public:
  // Seconds between two stored points of a hashtag's curve; counts between them follow the
  // curve's log-linear interpolation.
  static constexpr std::int64_t kStepSeconds = 300;

  // 85 % steady (0.5–3 %/day, a different rate each day), 10 % always fast (6–10 %/day, steady),
  // 5 % breakouts (steady until a random day, then rising to 8–30 %/day over 6–48 h).
  explicit Trace(const TraceShape& shape);

  const TraceShape& shape() const { return shape_; }
  const std::vector<HashtagTrace>& hashtags() const { return hashtags_; }
  std::int64_t end() const { return shape_.start + shape_.days * 86400LL; }

  // The true video count of hashtag `index` at `unix_seconds` (not rounded).
  double videos(std::size_t index, std::int64_t unix_seconds) const;
  // The true video growth over the day before `unix_seconds`, in percent.
  double day_over_day_percent(std::size_t index, std::int64_t unix_seconds) const;

 private:
  double log_growth_at(const HashtagTrace& hashtag, std::int64_t unix_seconds) const;

  TraceShape shape_;
  std::vector<HashtagTrace> hashtags_;
};

}  // namespace hashtag_exporter::replay
