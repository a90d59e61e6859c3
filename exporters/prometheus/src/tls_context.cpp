#include "tls_context.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <link.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <map>
#include <string_view>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// Everything OpenSSL queued about the last failure, oldest first; clears the queue.
std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += (text.empty() ? "" : "; ") + std::string(buffer);
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using CertificatePtr = std::unique_ptr<X509, X509Free>;

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) throw std::length_error("PEM too large");
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw std::bad_alloc();
  return bio;
}

// Never ask for a passphrase on the terminal: encrypted keys are not supported.
int no_passphrase(char*, int, int, void*) { return -1; }

// Every certificate in a PEM text, in order; reading stops at the end of the text only.
std::vector<CertificatePtr> read_certificates(const std::string& pem, const std::string& key,
                                              const std::string& origin) {
  ERR_clear_error();
  const auto bio = memory_bio(pem);
  std::vector<CertificatePtr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, &no_passphrase, nullptr)) {
    certificates.emplace_back(certificate);
  }
  const unsigned long last = ERR_peek_last_error();
  if (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
    ERR_clear_error();  // the end of the text
  } else if (last != 0) {
    throw TlsConfigError(key, origin + ": invalid certificate: " + openssl_errors());
  }
  if (certificates.empty()) throw TlsConfigError(key, origin + ": no PEM certificate found");
  return certificates;
}

int to_openssl(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls10: return TLS1_VERSION;
    case TlsVersion::tls11: return TLS1_1_VERSION;
    case TlsVersion::tls12: return TLS1_2_VERSION;
    case TlsVersion::tls13: return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

bool is_tls13_suite(std::string_view name) {
  return name == "TLS_AES_128_GCM_SHA256" || name == "TLS_AES_256_GCM_SHA384" ||
         name == "TLS_CHACHA20_POLY1305_SHA256";
}

// OpenSSL's name of every suite it knows, by IANA name (the names Go and exporter-toolkit use).
std::map<std::string, std::string, std::less<>> known_cipher_suites() {
  std::map<std::string, std::string, std::less<>> suites;
  SSL_CTX* all = SSL_CTX_new(TLS_server_method());
  if (all == nullptr) return suites;
  if (SSL_CTX_set_cipher_list(all, "ALL:COMPLEMENTOFALL") == 1) {
    const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(all);
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
      const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
      if (const char* standard = SSL_CIPHER_standard_name(cipher)) {
        suites.emplace(standard, SSL_CIPHER_get_name(cipher));
      }
    }
  }
  SSL_CTX_free(all);
  ERR_clear_error();
  return suites;
}

std::string openssl_group(std::string_view curve) {
  if (curve == "CurveP256") return "P-256";
  if (curve == "CurveP384") return "P-384";
  if (curve == "CurveP521") return "P-521";
  if (curve == "X25519") return "X25519";
  return {};
}

// The subject alternative names of a certificate as Go prints them: DNS names, e-mail
// addresses, IP addresses and URIs.
std::vector<std::string> subject_alternative_names(X509* certificate) {
  std::vector<std::string> names;
  auto* general_names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (general_names == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(general_names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general_names, i);
    const auto text = [](const ASN1_STRING* value) {
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                         static_cast<std::size_t>(ASN1_STRING_length(value)));
    };
    switch (name->type) {
      case GEN_DNS: names.push_back(text(name->d.dNSName)); break;
      case GEN_EMAIL: names.push_back(text(name->d.rfc822Name)); break;
      case GEN_URI: names.push_back(text(name->d.uniformResourceIdentifier)); break;
      case GEN_IPADD: {
        const auto octets = ASN1_STRING_length(name->d.iPAddress);
        char address[INET6_ADDRSTRLEN] = {};
        const int family = octets == 4 ? AF_INET : octets == 16 ? AF_INET6 : 0;
        if (family != 0 &&
            inet_ntop(family, ASN1_STRING_get0_data(name->d.iPAddress), address, sizeof address)) {
          names.emplace_back(address);
        }
        break;
      }
      default: break;
    }
  }
  GENERAL_NAMES_free(general_names);
  return names;
}

int policy_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

// What the verify callback needs: whether to check the chain at all and the allowed SANs.
struct TlsContext::Policy {
  bool verify_chain = false;
  std::vector<std::string> allowed_sans;

  static int verify(int chain_ok, X509_STORE_CTX* store) {
    const auto* ssl = static_cast<const SSL*>(
        X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto* self =
        static_cast<const Policy*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), policy_index()));
    if (self == nullptr) return 0;
    if (!self->verify_chain) chain_ok = 1;  // RequestClientCert, RequireAnyClientCert
    if (chain_ok == 0) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0 || self->allowed_sans.empty()) return 1;
    for (const auto& name : subject_alternative_names(X509_STORE_CTX_get_current_cert(store))) {
      if (std::find(self->allowed_sans.begin(), self->allowed_sans.end(), name) !=
          self->allowed_sans.end()) {
        return 1;
      }
    }
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
};

TlsContext::TlsContext(const TlsServerConfig& config) : policy_(std::make_unique<Policy>()) {
  ERR_clear_error();
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ == nullptr) throw TlsConfigError("", "cannot create a TLS context: " + openssl_errors());
  // From here on the destructor does not run if we throw: free the context ourselves.
  try {
    if (SSL_CTX_set_min_proto_version(ctx_, to_openssl(config.min_version)) != 1) {
      throw TlsConfigError("min_version", "not supported by OpenSSL: " + openssl_errors());
    }
    if (SSL_CTX_set_max_proto_version(ctx_, to_openssl(config.max_version)) != 1) {
      throw TlsConfigError("max_version", "not supported by OpenSSL: " + openssl_errors());
    }
    long options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
    if (config.prefer_server_cipher_suites) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
    SSL_CTX_set_options(ctx_, options);

    const auto chain = read_certificates(config.cert, "cert_file", config.cert_origin);
    if (SSL_CTX_use_certificate(ctx_, chain.front().get()) != 1) {
      throw TlsConfigError("cert_file", config.cert_origin + ": " + openssl_errors());
    }
    for (std::size_t i = 1; i < chain.size(); ++i) {
      if (SSL_CTX_add1_chain_cert(ctx_, chain[i].get()) != 1) {
        throw TlsConfigError("cert_file", config.cert_origin + ": " + openssl_errors());
      }
    }

    {
      const auto bio = memory_bio(config.key);
      const std::unique_ptr<EVP_PKEY, KeyFree> key(
          PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr));
      if (!key) {
        throw TlsConfigError(
            "key_file",
            config.key_origin + ": not an unencrypted PEM private key: " + openssl_errors());
      }
      if (SSL_CTX_use_PrivateKey(ctx_, key.get()) != 1 || SSL_CTX_check_private_key(ctx_) != 1) {
        throw TlsConfigError("key_file", config.key_origin +
                                             ": does not match the certificate of " +
                                             config.cert_origin + ": " + openssl_errors());
      }
    }

    if (!config.client_ca.empty()) {
      X509_STORE* store = SSL_CTX_get_cert_store(ctx_);
      for (const auto& ca :
           read_certificates(config.client_ca, "client_ca_file", config.client_ca_origin)) {
        if (X509_STORE_add_cert(store, ca.get()) != 1 ||
            SSL_CTX_add_client_CA(ctx_, ca.get()) != 1) {
          throw TlsConfigError("client_ca_file", config.client_ca_origin + ": " + openssl_errors());
        }
      }
    }

    if (!config.cipher_suites.empty()) {
      const auto known = known_cipher_suites();
      std::string list;
      for (const auto& name : config.cipher_suites) {
        if (is_tls13_suite(name)) continue;  // like Go: TLS 1.3 suites are not configurable
        const auto found = known.find(name);
        if (found == known.end()) {
          throw TlsConfigError("cipher_suites", "unknown cipher suite \"" + name + "\"");
        }
        list += (list.empty() ? "" : ":") + found->second;
      }
      if (!list.empty() && SSL_CTX_set_cipher_list(ctx_, list.c_str()) != 1) {
        throw TlsConfigError("cipher_suites", "rejected by OpenSSL: " + openssl_errors());
      }
    }

    if (!config.curve_preferences.empty()) {
      std::string groups;
      for (const auto& curve : config.curve_preferences) {
        const auto group = openssl_group(curve);
        if (group.empty())
          throw TlsConfigError("curve_preferences", "unknown curve \"" + curve + "\"");
        groups += (groups.empty() ? "" : ":") + group;
      }
      if (SSL_CTX_set1_groups_list(ctx_, groups.c_str()) != 1) {
        throw TlsConfigError("curve_preferences", "rejected by OpenSSL: " + openssl_errors());
      }
    }

    // Sessions resumed with a verified client certificate need an id context.
    static constexpr unsigned char kSessionContext[] = "hashtag_exporter";
    SSL_CTX_set_session_id_context(ctx_, kSessionContext, sizeof kSessionContext - 1);

    policy_->allowed_sans = config.client_allowed_sans;
    int mode = SSL_VERIFY_NONE;
    switch (config.client_auth) {
      case ClientAuth::no_client_cert: break;
      case ClientAuth::request_client_cert: mode = SSL_VERIFY_PEER; break;
      case ClientAuth::require_any_client_cert:
        mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        break;
      case ClientAuth::verify_client_cert_if_given:
        mode = SSL_VERIFY_PEER;
        policy_->verify_chain = true;
        break;
      case ClientAuth::require_and_verify_client_cert:
        mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        policy_->verify_chain = true;
        break;
    }
    if (SSL_CTX_set_ex_data(ctx_, policy_index(), policy_.get()) != 1) {
      throw TlsConfigError("", "cannot attach the client policy: " + openssl_errors());
    }
    SSL_CTX_set_verify(ctx_, mode, mode == SSL_VERIFY_NONE ? nullptr : &Policy::verify);
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

ssl_ctx_st* TlsContext::get() const { return ctx_; }

void load_civetweb_tls_libraries(const std::filesystem::path& dir) {
  struct Library {
    const char* name;
    const char* shim_symbol;  // defined by our shim only
  };
  for (const Library library : {Library{"libcrypto.so", "hashtag_exporter_crypto_shim_version"},
                                Library{"libssl.so", "hashtag_exporter_ssl_shim_version"}}) {
    const std::string wanted = dir.empty() ? library.name : (dir / library.name).string();
    const std::string shipped =
        "TLS needs the OpenSSL 3 shim " + std::string(library.name) +
        " shipped with hashtag_exporter (in the tls-shim folder of its lib folder, found "
        "through the binary's RPATH): civetweb 1.15 cannot use OpenSSL 3's own libssl";
    // Kept loaded for the life of the process: civetweb holds function pointers into it.
    void* handle = dlopen(wanted.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* error = dlerror();
      throw std::runtime_error(shipped + "; cannot load " + wanted + ": " +
                               (error != nullptr ? error : "not found"));
    }
    if (dlsym(handle, library.shim_symbol) == nullptr ||
        (std::string_view(library.name) == "libssl.so" &&
         dlsym(handle, "SSL_get_peer_certificate") == nullptr)) {
      link_map* map = nullptr;
      const std::string found = dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr
                                    ? std::string(map->l_name)
                                    : wanted;
      dlclose(handle);
      throw std::runtime_error(shipped + "; " + found + " is not that shim");
    }
  }
}

}  // namespace hashtag_exporter::prometheus_exporter
