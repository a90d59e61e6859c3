#include "build_info.hpp"
#include "commands.hpp"

#include <hashtag_exporter/logfmt.hpp>
#include <hashtag_exporter/prometheus/web_server.hpp>
#include <hashtag_exporter/service.hpp>

#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>

namespace hashtag_exporter::app {

int run_serve(const CommonOptions& options) {
  if (!options.web_config_file.empty()) {
    // Never fall back to plain HTTP when TLS or authentication was asked for.
    spdlog::error("file={} msg=\"--web.config.file (TLS and basic auth) is not supported yet\"",
                  options.web_config_file);
    return 1;
  }
  // Signals are taken by sigwait below, so every thread started from here on must block them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    spdlog::info("version={} revision={} msg=\"starting hashtag_exporter\"", build::kVersion,
                 build::kRevision);
    const auto shard = selected_shard(options);
    if (shard.count > 1) {
      spdlog::info("index={} count={} msg=\"owning one shard of the hashtags\"", shard.index,
                   shard.count);
    }
    CollectionService service(options.config_file, default_plugin_path(), shard);
    prometheus_exporter::WebServer server(
        {options.listen_addresses, options.telemetry_path, {build::kVersion, build::kRevision}},
        service.state(),
        {[&service] { return service.ready(); }, [&service] { return service.reload(); }});
    const auto ports = server.ports();
    for (std::size_t i = 0; i < ports.size(); ++i) {
      spdlog::info("address={} port={} msg=\"listening\"",
                   i < options.listen_addresses.size() ? options.listen_addresses[i] : "", ports[i]);
    }
    service.start();
    for (;;) {
      int signal = 0;
      sigwait(&signals, &signal);
      if (signal != SIGHUP) {
        spdlog::info("signal={} msg=\"shutting down\"", signal == SIGINT ? "SIGINT" : "SIGTERM");
        break;
      }
      spdlog::info("msg=\"SIGHUP: reloading the config\"");
      service.reload();
    }
    service.stop();
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("msg=\"cannot start\" err={}", logfmt_quote(e.what()));
    return 1;
  }
}

}  // namespace hashtag_exporter::app
