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

// What one scrape sends: the part rendered once per state generation, shared by every scrape of
// it and sent without a copy, then the part read at that scrape (the process metrics).
struct ScrapeBody {
  std::shared_ptr<const std::string> rendered;
  std::string scraped;

  std::size_t size() const { return rendered->size() + scraped.size(); }
};

// Renders an ExporterState in the Prometheus text format, every family as defined in
// metric_families.hpp: the per-source and exporter families through prometheus-cpp's
// TextSerializer, the per-hashtag series written directly in the same bytes.
// The state is rendered once per state generation and reused by every scrape until the next
// collection changes it; each scrape adds the process metrics, read from /proc at that moment.
class Exposition {
 public:
  Exposition(const StateStore& state, BuildInfo build_info);
  ~Exposition();

  // The current body (text format 0.0.4).
  ScrapeBody body();
  // The same body gzip-compressed, for scrapes that accept `Content-Encoding: gzip`, as one gzip
  // member: the rendered part is compressed once per generation, by the first such scrape, and
  // each scrape compresses only its own end.
  ScrapeBody gzip_body();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hashtag_exporter::prometheus_exporter
