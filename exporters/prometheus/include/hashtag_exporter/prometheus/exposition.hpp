#pragma once

#include <hashtag_exporter/state.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace hashtag_exporter::prometheus_exporter {

struct BuildInfo {
  std::string version;
  std::string revision;
};

// Renders an ExporterState in the Prometheus text format, every family as defined in
// metric_families.hpp: the per-source and exporter families through prometheus-cpp's
// TextSerializer, the per-hashtag series written directly in the same bytes.
// The body is rendered once per state generation and reused by every scrape until the next
// collection changes the state.
class Exposition {
 public:
  Exposition(const StateStore& state, BuildInfo build_info);
  ~Exposition();

  // The current body (text format 0.0.4).
  std::shared_ptr<const std::string> body();
  // The same body gzip-compressed, for scrapes that accept `Content-Encoding: gzip`; compressed
  // once per generation, by the first such scrape.
  std::shared_ptr<const std::string> gzip_body();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hashtag_exporter::prometheus_exporter
