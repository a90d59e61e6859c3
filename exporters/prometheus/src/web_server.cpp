#include <hashtag_exporter/log.hpp>
#include <hashtag_exporter/prometheus/web_server.hpp>

#include "accept_encoding.hpp"
#include "access.hpp"
#include "hashtags_json.hpp"
#include "landing_page.hpp"
#include "listen_address.hpp"
#include "tls_context.hpp"

#include <CivetServer.h>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {
namespace {

constexpr const char* kPlainText = "text/plain; charset=utf-8";
constexpr const char* kExpositionFormat = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kJson = "application/json";
constexpr const char* kReadMethods = "GET, HEAD";
// Prometheus takes both for its lifecycle endpoints.
constexpr const char* kLifecycleMethods = "POST, PUT";

// No endpoint takes a request body (/-/reload takes none either), so none is read: one
// that is announced is refused unread. Reading it would let a client that trickles it hold a
// worker for as long as it likes.
constexpr long long kMaxRequestBodyBytes = 0;
constexpr const char* kRealm = "Basic realm=\"hashtag_exporter\"";

struct Reply {
  int status = 200;
  std::string content_type = kPlainText;
  // Shared so that a cached exposition is written without a copy.
  std::shared_ptr<const std::string> body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body_end;  // sent after `body`: what a scrape reads at that moment
};

Reply text(int status, std::string body) {
  return {status, kPlainText, std::make_shared<const std::string>(std::move(body)), {}, {}};
}

struct Route {
  std::string allowed_methods;  // as sent in the Allow header of a 405
  std::function<Reply(const mg_connection*)> handle;
};

// What every request passes before routing (basic auth on every path, like exporter-toolkit,
// then the rate limit), and the headers every answer carries.
class Gate {
 public:
  explicit Gate(const WebConfig& config)
      : auth_(config.basic_auth_users), limiter_(config.rate_limit), headers_(config.headers) {}

  // The refusal for a request that may not go on; nothing when it may. Only authenticated
  // requests spend the rate budget, so that anonymous ones cannot use up the scraper's.
  std::optional<Reply> refusal(const mg_connection* connection) {
    if (auth_.enabled() && !auth_.allows(mg_get_header(connection, "Authorization"))) {
      const mg_request_info* request = mg_get_request_info(connection);
      log::debug("basic auth refused",
                 {{"client", request->remote_addr},
                  {"path", request->local_uri != nullptr ? request->local_uri : ""}});
      auto reply = text(401, "Unauthorized.");
      reply.headers.emplace_back("WWW-Authenticate", kRealm);
      return reply;
    }
    if (!limiter_.admit()) return text(429, "Too Many Requests.");
    return std::nullopt;
  }

  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

 private:
  BasicAuth auth_;
  RateLimiter limiter_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

// Whether the request announces a body larger than any endpoint takes: a Content-Length over
// the bound, or a Transfer-Encoding (chunked), whose length is only known once it is read.
bool announces_too_large_body(const mg_connection* connection) {
  return mg_get_request_info(connection)->content_length > kMaxRequestBodyBytes ||
         mg_get_header(connection, "Transfer-Encoding") != nullptr;
}

bool allows(std::string_view allowed_methods, std::string_view method) {
  for (std::size_t start = 0; start < allowed_methods.size();) {
    const auto end = std::min(allowed_methods.find(", ", start), allowed_methods.size());
    if (allowed_methods.substr(start, end - start) == method) return true;
    start = end + 2;
  }
  return false;
}

void send(mg_connection* connection, const Reply& reply, bool with_body) {
  mg_response_header_start(connection, reply.status);
  mg_response_header_add(connection, "Content-Type", reply.content_type.c_str(), -1);
  const auto length = reply.body->size() + reply.body_end.size();
  mg_response_header_add(connection, "Content-Length", std::to_string(length).c_str(), -1);
  for (const auto& [name, value] : reply.headers) {
    mg_response_header_add(connection, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(connection);
  if (!with_body) return;
  mg_write(connection, reply.body->data(), reply.body->size());
  if (!reply.body_end.empty()) mg_write(connection, reply.body_end.data(), reply.body_end.size());
}

// civetweb hands every request under "/" to one handler; routing by exact path here keeps
// 404 and 405 answers uniform.
class Router : public CivetHandler {
 public:
  Router(std::map<std::string, Route, std::less<>> routes, Gate& gate)
      : routes_(std::move(routes)), gate_(gate) {}

  bool handleGet(CivetServer*, mg_connection* connection) override { return serve(connection); }
  bool handleHead(CivetServer*, mg_connection* connection) override { return serve(connection); }
  bool handlePost(CivetServer*, mg_connection* connection) override { return serve(connection); }
  bool handlePut(CivetServer*, mg_connection* connection) override { return serve(connection); }
  bool handleDelete(CivetServer*, mg_connection* connection) override { return serve(connection); }
  bool handleOptions(CivetServer*, mg_connection* connection) override { return serve(connection); }
  bool handlePatch(CivetServer*, mg_connection* connection) override { return serve(connection); }

 private:
  bool serve(mg_connection* connection) const {
    const mg_request_info* request = mg_get_request_info(connection);
    const std::string_view method = request->request_method;
    auto refusal = body_refusal(connection);
    if (!refusal) refusal = gate_.refusal(connection);
    Reply reply = refusal ? std::move(*refusal) : answer(connection, method, request->local_uri);
    reply.headers.insert(reply.headers.end(), gate_.headers().begin(), gate_.headers().end());
    send(connection, reply, method != "HEAD");
    return true;
  }

  // civetweb reads and drops an unread body after the handler returns, as slowly as the client
  // sends it, so that the connection can be kept alive; unless it is to be closed: so it is.
  static std::optional<Reply> body_refusal(mg_connection* connection) {
    if (!announces_too_large_body(connection)) return std::nullopt;
    mg_disable_connection_keep_alive(connection);
    return text(413, "No endpoint takes a request body.");
  }

  Reply answer(const mg_connection* connection, std::string_view method, const char* path) const {
    const auto route = routes_.find(std::string_view(path != nullptr ? path : ""));
    if (route == routes_.end()) return text(404, "Not Found.");
    if (!allows(route->second.allowed_methods, method)) {
      auto reply = text(405, "Method Not Allowed.");
      reply.headers.emplace_back("Allow", route->second.allowed_methods);
      return reply;
    }
    try {
      return route->second.handle(connection);
    } catch (const std::exception& e) {
      log::error("request failed", {{"path", path}, {"err", e.what()}});
      return text(500, std::string("Internal error: ") + e.what());
    }
  }

  std::map<std::string, Route, std::less<>> routes_;
  Gate& gate_;
};

// With TLS every port gets civetweb's "s": TLS only, never plain HTTP beside it.
std::string civetweb_listening_ports(const std::vector<std::string>& addresses, bool tls) {
  if (addresses.empty()) throw std::invalid_argument("no listen address given");
  std::string ports;
  for (const auto& address : addresses) {
    if (!ports.empty()) ports += ',';
    ports += to_civetweb_listening_port(address);
    if (tls) ports += 's';
  }
  return ports;
}

// The configured headers as civetweb's additional_header, for the answers civetweb writes
// itself (such as 400 for a malformed request).
std::string header_lines(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string lines;
  for (const auto& [name, value] : headers) {
    lines += (lines.empty() ? "" : "\r\n") + name + ": " + value;
  }
  return lines;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string list;
  for (const auto& item : items) list += (list.empty() ? "\"" : ", \"") + item + "\"";
  return list;
}

}  // namespace

struct WebServer::Impl {
  Impl(WebOptions web_options, const StateStore& state_store, WebHooks web_hooks)
      : options(std::move(web_options)),
        state(state_store),
        hooks(std::move(web_hooks)),
        exposition(state_store, options.build_info),
        gate(options.web_config),
        router(routes(), gate) {
    if (!hooks.ready || !hooks.reload) {
      throw std::invalid_argument("the web server needs both the ready and the reload hook");
    }
    const auto& web_config = options.web_config;
    const auto ports =
        civetweb_listening_ports(options.listen_addresses, web_config.tls.has_value());
    // tcp_nodelay: a reply is written in parts (the shared body, then the per-scrape process
    // metrics); with Nagle's algorithm the small last part waits for the client's delayed ACK,
    // 40 ms on Linux, on every scrape. Go's servers, Prometheus' own included, disable it too.
    std::vector<std::string> civetweb_options{
        "listening_ports",       ports,
        "num_threads",           std::to_string(kWorkerThreads),
        "request_timeout_ms",    std::to_string(kRequestTimeout.count()),
        "max_request_size",      std::to_string(kMaxRequestHeadBytes),
        "enable_keep_alive",     "yes",
        "keep_alive_timeout_ms", std::to_string(kKeepAliveTimeout.count()),
        "tcp_nodelay",           "1",
    };
    if (!web_config.headers.empty()) {
      civetweb_options.insert(civetweb_options.end(),
                              {"additional_header", header_lines(web_config.headers)});
    }
    CivetCallbacks callbacks;
    callbacks.log_message = &Impl::log_message;
    if (web_config.tls) {
      load_civetweb_tls_libraries(options.tls_library_dir);
      try {
        tls = std::make_unique<TlsContext>(*web_config.tls);
      } catch (const TlsConfigError& e) {
        throw std::runtime_error("cannot set up TLS: tls_server_config" +
                                 (e.key().empty() ? "" : "." + e.key()) + ": " + e.what());
      }
      callbacks.external_ssl_ctx = &Impl::external_ssl_ctx;
    }
    try {
      server = std::make_unique<CivetServer>(civetweb_options, &callbacks, this);
    } catch (const CivetException&) {
      std::lock_guard lock(startup_errors_mutex);
      throw std::runtime_error("cannot listen on " + quoted_list(options.listen_addresses) + ": " +
                               startup_errors);
    }
    {
      std::lock_guard lock(startup_errors_mutex);
      started = true;
    }
    server->addHandler("/", router);
    bound_ports = server->getListeningPorts();
  }

  std::map<std::string, Route, std::less<>> routes() {
    const auto& telemetry_path = options.telemetry_path;
    if (const auto problem = telemetry_path_problem(telemetry_path)) {
      throw std::invalid_argument("telemetry path \"" + telemetry_path + "\": " + *problem);
    }
    const auto page =
        std::make_shared<const std::string>(landing_page(options.build_info, telemetry_path));
    std::map<std::string, Route, std::less<>> table{
        {"/",
         {kReadMethods,
          [page](auto) {
            return Reply{200, kHtml, page, {}, {}};
          }}},
        {"/-/healthy", {kReadMethods, [](auto) { return text(200, "Healthy."); }}},
        {"/-/ready", {kReadMethods, [this](auto) { return readiness(); }}},
        {"/-/reload", {kLifecycleMethods, [this](auto) { return lifecycle_reload(); }}},
        {"/api/v1/hashtags", {kReadMethods, [this](auto) { return hashtags(); }}},
    };
    const Route telemetry{kReadMethods, [this](const mg_connection* c) { return scrape(c); }};
    if (!table.try_emplace(telemetry_path, telemetry).second) {
      throw std::invalid_argument("telemetry path \"" + telemetry_path +
                                  "\" is taken by another endpoint");
    }
    return table;
  }

  Reply scrape(const mg_connection* connection) {
    const char* accept_encoding = mg_get_header(connection, "Accept-Encoding");
    const bool gzip = accept_encoding != nullptr && accepts_gzip(accept_encoding);
    auto body = gzip ? exposition.gzip_body() : exposition.body();
    Reply reply{200,
                kExpositionFormat,
                std::move(body.rendered),
                {{"Vary", "Accept-Encoding"}},
                std::move(body.scraped)};
    if (gzip) reply.headers.emplace_back("Content-Encoding", "gzip");
    return reply;
  }

  Reply readiness() const { return hooks.ready() ? text(200, "Ready.") : text(503, "Not ready."); }

  // Prometheus' answer, word for word, when the lifecycle API is off.
  Reply lifecycle_reload() {
    if (!options.enable_lifecycle) return text(403, "Lifecycle API is not enabled.");
    return reload();
  }

  // One reload at a time; the others are answered at once rather than each holding a worker
  // until the one before it is done.
  Reply reload() {
    const std::unique_lock running(reload_mutex, std::try_to_lock);
    if (!running.owns_lock()) return text(503, "A reload is already in progress.");
    const auto error = hooks.reload();
    return error ? text(500, *error) : text(200, "Reloaded.");
  }

  Reply hashtags() const {
    return {
        200, kJson, std::make_shared<const std::string>(hashtags_json(*state.current())), {}, {}};
  }

  // civetweb asks for its SSL_CTX when it starts (*ssl_ctx null) and offers it back to be freed
  // when it stops: the context is ours both times (TlsContext frees it after the server).
  static int external_ssl_ctx(void** ssl_ctx, void* user_data) {
    if (*ssl_ctx != nullptr) return 1;
    const auto* server = static_cast<const CivetServer*>(user_data);
    const auto* self = static_cast<const Impl*>(server->getUserContext());
    if (self == nullptr || !self->tls) return -1;
    *ssl_ctx = self->tls->get();
    return 1;
  }

  // civetweb reports why it cannot start only through its log; keep that text for the exception
  // and send whatever it logs later to our log.
  static int log_message(const mg_connection* connection, const char* message) {
    const auto* server =
        static_cast<const CivetServer*>(mg_get_user_data(mg_get_context(connection)));
    auto* self = static_cast<Impl*>(const_cast<void*>(server->getUserContext()));
    std::lock_guard lock(self->startup_errors_mutex);
    if (self->started) {
      // A failed TLS handshake (a scanner, plain HTTP on the TLS port, a refused client
      // certificate) is the client's problem, and can come at any rate.
      if (std::string_view(message).starts_with("sslize error")) {
        log::debug("TLS handshake failed", {{"err", message}});
      } else {
        log::warn("web server", {{"err", message}});
      }
    } else {
      self->startup_errors += (self->startup_errors.empty() ? "" : "; ") + std::string(message);
    }
    return 1;
  }

  WebOptions options;
  const StateStore& state;
  WebHooks hooks;
  std::mutex reload_mutex;
  Exposition exposition;
  Gate gate;
  Router router;
  // With TLS: the context civetweb serves with; outlives the server below.
  std::unique_ptr<TlsContext> tls;
  std::mutex startup_errors_mutex;
  bool started = false;
  std::string startup_errors;
  std::vector<int> bound_ports;
  // Declared last so that it stops, and no request is in flight, before the rest goes away.
  std::unique_ptr<CivetServer> server;
};

WebServer::WebServer(WebOptions options, const StateStore& state, WebHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), state, std::move(hooks))) {}

WebServer::~WebServer() = default;

std::vector<int> WebServer::ports() const { return impl_->bound_ports; }

}  // namespace hashtag_exporter::prometheus_exporter
