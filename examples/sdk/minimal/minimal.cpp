// A complete source plugin: fixed counts per hashtag, scaled by a setting.
#include <hashtag_exporter/plugin/sdk.hpp>

#include <span>
#include <string>

namespace sdk = hashtag_exporter::sdk;

class MinimalSource : public sdk::Source {
 public:
  // Read and check every setting here; a typo'd key is rejected after the constructor.
  MinimalSource(const sdk::Host& host, sdk::Settings& settings)
      : host_(host), factor_(settings.integer("factor", 1, 1, 1000)) {
    host_.log(HX_LOG_INFO, "minimal source ready, factor " + std::to_string(factor_));
  }

  // Report exactly one sample or one failure per hashtag.
  void collect(std::span<const std::string> hashtags, sdk::Results& results) override {
    for (const auto& tag : hashtags) {
      if (tag == "missing") {
        results.failure(tag, HX_REASON_NOT_FOUND, "no such hashtag");
        continue;
      }
      const auto videos = static_cast<std::int64_t>(tag.size()) * 1000 * factor_;
      results.sample(tag, videos, videos * 150);
    }
  }

 private:
  sdk::Host host_;
  std::int64_t factor_;
};

HASHTAG_EXPORTER_PLUGIN(MinimalSource, "minimal", "1.0.0")
