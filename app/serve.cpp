#include "build_info.hpp"
#include "commands.hpp"

#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/prometheus/web_server.hpp>
#include <hashtag_exporter/service.hpp>

#include <pthread.h>
#include <csignal>
#include <stdexcept>
#include <utility>

namespace hashtag_exporter::app {

namespace {

// The web config, checked completely (certificates and keys included) before anything starts:
// a bad one stops the exporter rather than serving plain HTTP or without authentication.
prometheus_exporter::WebConfig web_config(const CommonOptions& options) {
  if (options.web_config_file.empty()) return {};
  auto config = prometheus_exporter::load_web_config(options.web_config_file);
  log::info("web config loaded", {{"file", options.web_config_file},
                                  {"tls", config.tls ? "on" : "off"},
                                  {"basic_auth_users", config.basic_auth_users.size()},
                                  {"headers", config.headers.size()}});
  if (!config.tls && config.basic_auth_users.empty()) {
    log::warn("the web config sets neither TLS nor basic auth",
              {{"file", options.web_config_file}});
  } else if (!config.tls) {
    log::warn("basic auth without TLS sends passwords in clear text");
  }
  return config;
}

}  // namespace

int run_serve(const CommonOptions& options) {
  // Signals are taken by sigwait below, so every thread started from here on must block them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    log::info("starting hashtag_exporter",
              {{"version", build::kVersion}, {"revision", build::kRevision}});
    if (const auto problem = prometheus_exporter::telemetry_path_problem(options.telemetry_path)) {
      throw std::invalid_argument("--web.telemetry-path \"" + options.telemetry_path +
                                  "\": " + *problem);
    }
    const auto shard = selected_shard(options);
    if (shard.count > 1) {
      log::info("owning one shard of the hashtags",
                {{"index", shard.index}, {"count", shard.count}});
    }
    prometheus_exporter::WebOptions web_options;
    web_options.listen_addresses = options.listen_addresses;
    web_options.telemetry_path = options.telemetry_path;
    web_options.build_info = {build::kVersion, build::kRevision};
    web_options.enable_lifecycle = options.web_enable_lifecycle;
    web_options.web_config = web_config(options);
    const bool tls = web_options.web_config.tls.has_value();
    CollectionService service(options.config_file, default_plugin_path(), shard);
    prometheus_exporter::WebServer server(
        std::move(web_options), service.state(),
        {[&service] { return service.ready(); }, [&service] { return service.reload(); }});
    const auto ports = server.ports();
    for (std::size_t i = 0; i < ports.size(); ++i) {
      log::info(
          "listening",
          {{"address", i < options.listen_addresses.size() ? options.listen_addresses[i] : ""},
           {"port", ports[i]},
           {"tls", tls ? "on" : "off"}});
    }
    service.start();
    for (;;) {
      int signal = 0;
      sigwait(&signals, &signal);
      if (signal != SIGHUP) {
        log::info("shutting down", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
        break;
      }
      log::info("SIGHUP: reloading the config");
      service.reload();
    }
    service.stop();
    return 0;
  } catch (const std::exception& e) {
    log::error("cannot start", {{"err", e.what()}});
    return 1;
  }
}

}  // namespace hashtag_exporter::app
