#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {

// Go's tls.ClientAuthType, as the exporter-toolkit file names it.
enum class ClientAuth {
  no_client_cert,                 // NoClientCert (default)
  request_client_cert,            // RequestClientCert: asked for, not required, not verified
  require_any_client_cert,        // RequireAnyClientCert: required, not verified
  verify_client_cert_if_given,    // VerifyClientCertIfGiven
  require_and_verify_client_cert  // RequireAndVerifyClientCert: the one to use
};

enum class TlsVersion { tls10, tls11, tls12, tls13 };

struct TlsServerConfig {
  // PEM text, read from cert_file/key_file/client_ca_file (or given inline as cert/key/client_ca).
  std::string cert;  // the server certificate, then any intermediates
  std::string key;
  std::string client_ca;  // empty: none
  // Where each came from, for messages ("inline" when given in the file itself).
  std::string cert_origin;
  std::string key_origin;
  std::string client_ca_origin;
  ClientAuth client_auth = ClientAuth::no_client_cert;
  // A verified client certificate must carry one of these SANs (DNS, IP, e-mail or URI) exactly.
  std::vector<std::string> client_allowed_sans;
  TlsVersion min_version = TlsVersion::tls12;
  TlsVersion max_version = TlsVersion::tls13;
  // IANA names of TLS 1.2 suites (Go's names); empty: OpenSSL's defaults.
  std::vector<std::string> cipher_suites;
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> curve_preferences;  // CurveP256, CurveP384, CurveP521, X25519
};

struct RateLimit {
  std::chrono::milliseconds interval{0};  // between two requests; 0: no limit
  int burst = 0;
};

// The largest certificate, key or client CA file read. Debian's bundle of every public CA is
// about 220 KB; a server's chain or key is a few KB.
constexpr std::size_t kMaxPemFileBytes = std::size_t{1} << 20;

// The --web.config.file of the Prometheus exporter-toolkit
// (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md).
struct WebConfig {
  std::filesystem::path file;
  std::optional<TlsServerConfig> tls;  // nothing: plain HTTP
  // http_server_config.headers: added to every response, in file order.
  std::vector<std::pair<std::string, std::string>> headers;
  // basic_auth_users: user -> bcrypt hash; empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
  RateLimit rate_limit;
};

// Reads and checks a web config file: unknown keys, wrong types, unknown TLS versions or client
// auth types, headers exporter-toolkit does not allow, hashes that are not bcrypt, unreadable or
// invalid certificate and key files (relative paths are relative to the file's folder) and a key
// that does not match its certificate are errors. Throws hashtag_exporter::ConfigError, whose
// text reads "FILE:LINE: KEY: message".
WebConfig load_web_config(const std::filesystem::path& file);

}  // namespace hashtag_exporter::prometheus_exporter
