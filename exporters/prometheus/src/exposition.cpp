#include <hashtag_exporter/memory.hpp>
#include <hashtag_exporter/prometheus/exposition.hpp>

#include "gzip.hpp"
#include "hashtag_text.hpp"
#include "metric_families.hpp"
#include "process_metrics.hpp"
#include "recycled_body.hpp"
#include "state_families.hpp"

#include <prometheus/text_serializer.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {

struct Exposition::Impl {
  Impl(const StateStore& state_store, BuildInfo build_info) : state(state_store) {
    self.build = std::move(build_info);
  }

  // Called with `mutex` held.
  void render_if_stale() {
    // The generation is read before the state, so a body is never older than its generation
    // (at worst newer, which only costs one more render).
    const auto generation = state.generation();
    if (generation == rendered_generation) return;

    body.reset();  // its buffer comes back at once unless a scrape still sends it

    const auto started = std::chrono::steady_clock::now();
    auto text = bodies.share(render(bodies.take()));
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;

    self.previous_render_seconds = took.count();
    self.previous_body_bytes = static_cast<double>(text->size());
    body = std::move(text);
    gzip_body.reset();
    rendered_generation = generation;
    release_free_memory();  // a render allocates several times the size of its body
  }

  std::string render(std::string text) {
    const auto current = state.current();
    text.clear();
    text.reserve(rendered_size + rendered_size / 8);  // the next body is about as large
    append_hashtag_families(current->hashtags, text);
    text += prometheus::TextSerializer().Serialize(source_and_exporter_families(*current, self));
    rendered_size = text.size();
    return text;
  }

  // Called with `mutex` held, after render_if_stale. Compressed on the first request that
  // accepts gzip, then reused: a body nobody asks compressed costs nothing.
  void compress_if_missing() {
    if (gzip_body) return;
    gzip_body = std::make_shared<const OpenGzip>(*body);
    release_free_memory();  // the compressor's buffer is about the size of the body
  }

  // The process metrics, read now; one read of /proc per scrape for all of them.
  std::string scraped() const {
    return prometheus::TextSerializer().Serialize(process_families(process.collect()));
  }

  const StateStore& state;
  ExpositionInfo self;  // changed with `mutex` held, by each render for the next one

  // One render per generation however many scrapes arrive together: they queue on the mutex
  // and all but the first find the body current.
  std::mutex mutex;
  std::optional<std::uint64_t> rendered_generation;
  std::size_t rendered_size = 0;  // of the last body, to size the next one
  RecycledBody bodies;
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const OpenGzip> gzip_body;  // held by the scrapes finishing it, too

  const ProcessCollector process;
};

Exposition::Exposition(const StateStore& state, BuildInfo build_info)
    : impl_(std::make_unique<Impl>(state, std::move(build_info))) {}

Exposition::~Exposition() = default;

ScrapeBody Exposition::body() {
  std::shared_ptr<const std::string> rendered;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->render_if_stale();
    rendered = impl_->body;
  }
  return {std::move(rendered), impl_->scraped()};
}

ScrapeBody Exposition::gzip_body() {
  std::shared_ptr<const OpenGzip> compressed;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->render_if_stale();
    impl_->compress_if_missing();
    compressed = impl_->gzip_body;
  }
  return {compressed->start(), compressed->finish(impl_->scraped())};
}

}  // namespace hashtag_exporter::prometheus_exporter
