#include "trace.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace hashtag_exporter::replay {
namespace {

constexpr std::int64_t kDay = 86400;

// The daily rate of a steady hashtag on each day: its own typical rate, with day-to-day noise.
std::vector<double> steady_days(std::mt19937_64& random, int days, double low, double high,
                                double noise) {
  std::uniform_real_distribution<double> typical(low, high);
  std::normal_distribution<double> jitter(0.0, noise);
  const double rate = typical(random);
  std::vector<double> rates;
  for (int day = 0; day < days; ++day) rates.push_back(rate * std::exp(jitter(random)));
  return rates;
}

}  // namespace

Trace::Trace(const TraceShape& shape) : shape_(shape) {
  std::mt19937_64 random(shape.seed);
  const int fast = shape.hashtags / 10;
  const int breakouts = shape.hashtags / 20;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Breakouts start late enough for a baseline (7 days of growth) and early enough to be seen.
  const int first_day = std::min(10, shape.days / 3);
  const int last_day = std::max(first_day, shape.days - 3);
  const auto steps = static_cast<std::size_t>(shape.days * kDay / kStepSeconds + 1);
  for (int i = 0; i < shape.hashtags; ++i) {
    HashtagTrace hashtag;
    char name[32];
    std::snprintf(name, sizeof name, "h%05d", i);
    hashtag.name = name;
    hashtag.kind = i < breakouts          ? Kind::breakout
                   : i < breakouts + fast ? Kind::fast
                                          : Kind::steady;
    hashtag.videos_at_start = std::pow(10.0, 5 + 2 * unit(random));  // 100,000 to 10 million
    hashtag.views_per_video = 50 + 450 * unit(random);
    const auto daily = hashtag.kind == Kind::fast ? steady_days(random, shape.days, 6, 10, 0.03)
                                                  : steady_days(random, shape.days, 0.5, 3, 0.25);
    if (hashtag.kind == Kind::breakout) {
      const int day = first_day + static_cast<int>(unit(random) * (last_day - first_day + 1));
      hashtag.breakout_start = shape.start + std::min(last_day, day) * kDay +
                               static_cast<std::int64_t>(unit(random) * kDay);
      hashtag.ramp_seconds = (6 + 42 * unit(random)) * 3600;
      hashtag.peak_percent_per_day = 8 + 22 * unit(random);
    }
    hashtag.log_growth.reserve(steps);
    double log_growth = 0;
    for (std::size_t step = 0; step < steps; ++step) {
      hashtag.log_growth.push_back(log_growth);
      const std::int64_t t = shape.start + static_cast<std::int64_t>(step) * kStepSeconds;
      double percent = daily[std::min<std::size_t>(daily.size() - 1, (t - shape.start) / kDay)];
      if (hashtag.kind == Kind::breakout && t >= hashtag.breakout_start) {
        const double risen =
            std::min(1.0, static_cast<double>(t - hashtag.breakout_start) / hashtag.ramp_seconds);
        percent += risen * (hashtag.peak_percent_per_day - percent);
      }
      log_growth += std::log1p(percent / 100) * kStepSeconds / kDay;
    }
    hashtags_.push_back(std::move(hashtag));
  }
}

double Trace::log_growth_at(const HashtagTrace& hashtag, std::int64_t unix_seconds) const {
  const double position = static_cast<double>(std::clamp(unix_seconds - shape_.start,
                                                         std::int64_t{0}, end() - shape_.start)) /
                          kStepSeconds;
  const auto below = std::min(static_cast<std::size_t>(position), hashtag.log_growth.size() - 1);
  const auto above = std::min(below + 1, hashtag.log_growth.size() - 1);
  const double weight = position - static_cast<double>(below);
  return hashtag.log_growth[below] +
         weight * (hashtag.log_growth[above] - hashtag.log_growth[below]);
}

double Trace::videos(std::size_t index, std::int64_t unix_seconds) const {
  const auto& hashtag = hashtags_[index];
  return hashtag.videos_at_start * std::exp(log_growth_at(hashtag, unix_seconds));
}

double Trace::day_over_day_percent(std::size_t index, std::int64_t unix_seconds) const {
  const auto& hashtag = hashtags_[index];
  return std::expm1(log_growth_at(hashtag, unix_seconds) -
                    log_growth_at(hashtag, unix_seconds - kDay)) *
         100;
}

}  // namespace hashtag_exporter::replay
