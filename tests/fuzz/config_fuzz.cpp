// Fuzzes the config loader (hashtag_exporter::load_config) with any file content: it must
// return a config or throw ConfigError naming the file, and nothing else.
#include "fuzz_support.hpp"

#include <hashtag_exporter/config.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hashtag_exporter::fuzz::fail;
  static const hashtag_exporter::fuzz::FuzzFile file("hashtag_exporter.yml");
  const auto& path = file.write(data, size);
  try {
    const auto config = hashtag_exporter::load_config(path);
    if (config.sources.empty()) fail("a config without sources was accepted");
    std::size_t hashtags = 0;
    for (const auto& source : config.sources) {
      hashtags += source.hashtags.size();
      if (source.interval > hashtag_exporter::kMaxInterval) {
        fail(source.key + ": interval above the bound was accepted");
      }
      if (source.name.empty() || source.plugin.empty() || source.hashtags.empty()) {
        fail("a source without a name, plugin or hashtags was accepted: " + source.key);
      }
      if (source.interval.count() < 1) fail(source.key + ": interval below 1s was accepted");
      for (const auto& hashtag : source.hashtags) {
        if (!hashtag_exporter::fuzz::is_normalised_hashtag(hashtag)) {
          fail(source.key + ": hashtag not normalised: \"" + hashtag + "\"");
        }
      }
    }
    if (hashtags > hashtag_exporter::kMaxHashtags)
      fail("more hashtags than the bound were accepted");
  } catch (const hashtag_exporter::ConfigError& e) {
    // "FILE:LINE: KEY: message" or "FILE: message".
    if (!std::string(e.what()).starts_with(path.string() + ":")) {
      fail(std::string("ConfigError does not name the file: ") + e.what());
    }
  } catch (const std::exception& e) {
    fail(std::string("load_config threw something other than ConfigError: ") + e.what());
  }
  return 0;
}
