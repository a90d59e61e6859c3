#pragma once

#include <hashtag_exporter/prometheus/web_config.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

struct ssl_ctx_st;

namespace hashtag_exporter::prometheus_exporter {

// A problem with one key of tls_server_config ("cert_file", "client_ca", ...).
class TlsConfigError : public std::runtime_error {
 public:
  TlsConfigError(std::string key, const std::string& message)
      : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The server's OpenSSL context, built by us (civetweb takes it through its external_ssl_ctx
// callback, so certificates, versions and client verification follow exporter-toolkit rather
// than civetweb's own options).
class TlsContext {
 public:
  // Throws TlsConfigError for a certificate, key or CA that OpenSSL rejects, or a setting it
  // cannot apply.
  explicit TlsContext(const TlsServerConfig& config);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* get() const;

 private:
  struct Policy;
  std::unique_ptr<Policy> policy_;
  ssl_ctx_st* ctx_ = nullptr;
};

// Makes sure that the "libssl.so" and "libcrypto.so" civetweb will dlopen are the OpenSSL 3
// shims built with the exporter (tls_shim/), by loading them first: from `dir` when given, else
// by name through the executable's run path. civetweb's own dlopen then gets the loaded shims
// (glibc matches an already loaded library by its soname). Throws std::runtime_error saying
// what was found instead. Checks again on every call; loading twice costs nothing.
void load_civetweb_tls_libraries(const std::filesystem::path& dir);

}  // namespace hashtag_exporter::prometheus_exporter
