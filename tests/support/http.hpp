#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace hashtag_exporter::testing {

struct HttpReply {
  long status = 0;  // 0 when no HTTP answer came (connection refused, timeout)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value of a repeat
  std::string error;                           // libcurl's text when status is 0
};

// Blocking HTTP calls for tests, one connection each; they never throw on HTTP errors.
HttpReply http_request(const std::string& method, const std::string& url,
                       const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {},
                       long timeout_ms = 5000);
HttpReply http_get(const std::string& url, long timeout_ms = 5000);

// A request with the TLS and authentication options the two calls above leave out.
struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::map<std::string, std::string> headers;
  long timeout_ms = 5000;
  // HTTPS: trust this CA file (PEM) instead of the system's; the host name is checked.
  std::string ca_file;
  // HTTPS: present this client certificate and key (PEM files).
  std::string client_cert_file;
  std::string client_key_file;
  // HTTPS: the highest TLS version to offer, e.g. "1.2"; empty: libcurl's default.
  std::string max_tls_version;
  // Basic auth: user and password.
  std::optional<std::pair<std::string, std::string>> basic_auth;
};
HttpReply http_request(const HttpCall& call);

// Calls in turn through one libcurl handle, which keeps the connection open between them when
// the server does, as a scraper does.
class HttpSession {
 public:
  HttpSession();
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  HttpReply request(const HttpCall& call);
  // Whether the last call went over a connection that an earlier call had opened (no new TCP
  // connection, no new TLS handshake).
  bool last_reused_connection() const;
  // The local port of the last call's connection.
  long last_local_port() const;

 private:
  void* curl_;  // the CURL handle (curl.h declares CURL as void)
};

}  // namespace hashtag_exporter::testing
