#include <hashtag_exporter/prometheus/exposition.hpp>

#include "gzip.hpp"
#include "state_collector.hpp"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {
namespace {

prometheus::Gauge& add_gauge(prometheus::Registry& registry, const std::string& name,
                             const std::string& help, const prometheus::Labels& labels = {}) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(labels);
}

}  // namespace

struct Exposition::Impl {
  Impl(const StateStore& state_store, const BuildInfo& build_info)
      : state(state_store),
        collector(state_store),
        build_info_gauge(
            add_gauge(registry, "hashtag_exporter_build_info",
                      "Version and revision hashtag_exporter was built from; always 1.",
                      {{"version", build_info.version}, {"revision", build_info.revision}})),
        render_duration(add_gauge(registry, "hashtag_exporter_render_duration_seconds",
                                  "How long the previous rendering of this exposition took (0 in "
                                  "the first one); it is rendered once per collection, not per "
                                  "scrape.")),
        exposition_bytes(add_gauge(registry, "hashtag_exporter_exposition_bytes",
                                   "Uncompressed size of the previous rendering of this "
                                   "exposition (0 in the first one).")) {
    build_info_gauge.Set(1);
  }

  // Called with `mutex` held.
  void render_if_stale() {
    // The generation is read before the state, so a body is never older than its generation
    // (at worst newer, which only costs one more render).
    const auto generation = state.generation();
    if (generation == rendered_generation) return;

    const auto started = std::chrono::steady_clock::now();
    auto families = collector.Collect();
    for (auto& family : registry.Collect()) families.push_back(std::move(family));
    auto text =
        std::make_shared<const std::string>(prometheus::TextSerializer().Serialize(families));
    auto compressed = std::make_shared<const std::string>(gzip_compress(*text));
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;

    render_duration.Set(took.count());
    exposition_bytes.Set(static_cast<double>(text->size()));
    body = std::move(text);
    gzip_body = std::move(compressed);
    rendered_generation = generation;
  }

  const StateStore& state;
  StateCollector collector;
  prometheus::Registry registry;
  // Registered in this order, which is the order of the exposition.
  prometheus::Gauge& build_info_gauge;
  prometheus::Gauge& render_duration;
  prometheus::Gauge& exposition_bytes;

  // One render per generation however many scrapes arrive together: they queue on the mutex
  // and all but the first find the body current.
  std::mutex mutex;
  std::optional<std::uint64_t> rendered_generation;
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const std::string> gzip_body;
};

Exposition::Exposition(const StateStore& state, BuildInfo build_info)
    : impl_(std::make_unique<Impl>(state, build_info)) {}

Exposition::~Exposition() = default;

std::shared_ptr<const std::string> Exposition::body() {
  std::lock_guard lock(impl_->mutex);
  impl_->render_if_stale();
  return impl_->body;
}

std::shared_ptr<const std::string> Exposition::gzip_body() {
  std::lock_guard lock(impl_->mutex);
  impl_->render_if_stale();
  return impl_->gzip_body;
}

}  // namespace hashtag_exporter::prometheus_exporter
