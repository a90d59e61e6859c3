#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/plugin/regular_file.hpp>
#include <hashtag_exporter/prometheus/web_config.hpp>
#include <hashtag_exporter/yaml_reader.hpp>

#include "access.hpp"
#include "tls_context.hpp"

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <system_error>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using yaml::Fields;
using yaml::find;
using yaml::Reader;
using yaml::Value;

// A Go duration such as 1s, 500ms or 1m30s (what exporter-toolkit reads), or 0.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds{0};
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  while (!text.empty()) {
    // Digits and a decimal point only: no sign, exponent, "inf" or "nan".
    const auto digits = std::min(text.find_first_not_of("0123456789."), text.size());
    double number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + digits, number);
    if (digits == 0 || error != std::errc() || end != text.data() + digits) return std::nullopt;
    text.remove_prefix(digits);
    std::size_t unit_length = 0;
    while (unit_length < text.size() && (text[unit_length] < '0' || text[unit_length] > '9') &&
           text[unit_length] != '.') {
      ++unit_length;
    }
    const auto unit = text.substr(0, unit_length);
    text.remove_prefix(unit_length);
    static constexpr std::pair<std::string_view, double> kUnitsInMs[] = {
        {"ns", 1e-6}, {"us", 1e-3}, {"\xC2\xB5s", 1e-3}, {"\xCE\xBCs", 1e-3},
        {"ms", 1},    {"s", 1e3},   {"m", 60e3},         {"h", 3600e3}};
    const auto* found = std::find_if(std::begin(kUnitsInMs), std::end(kUnitsInMs),
                                     [unit](const auto& entry) { return entry.first == unit; });
    if (found == std::end(kUnitsInMs)) return std::nullopt;
    total_ms += number * found->second;
  }
  if (total_ms > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(total_ms));
}

// A file's path (relative to the web config file's folder) and its content.
std::pair<std::filesystem::path, std::string> file_text(const Reader& reader, const Value& value,
                                                        const std::string& what) {
  const auto path = reader.path(value, what);
  try {
    return {path, sdk::read_regular_file(path, kMaxPemFileBytes)};
  } catch (const sdk::FileError& e) {
    throw reader.error(value.line, value.key,
                       "cannot read " + yaml::json_quoted(path.string()) + ": " + e.what());
  }
}

std::optional<TlsVersion> tls_version(std::string_view name) {
  if (name == "TLS10") return TlsVersion::tls10;
  if (name == "TLS11") return TlsVersion::tls11;
  if (name == "TLS12") return TlsVersion::tls12;
  if (name == "TLS13") return TlsVersion::tls13;
  return std::nullopt;
}

std::optional<ClientAuth> client_auth(std::string_view name) {
  if (name == "NoClientCert") return ClientAuth::no_client_cert;
  if (name == "RequestClientCert") return ClientAuth::request_client_cert;
  // RequireClientCert is exporter-toolkit's old name for RequireAnyClientCert.
  if (name == "RequireAnyClientCert" || name == "RequireClientCert") {
    return ClientAuth::require_any_client_cert;
  }
  if (name == "VerifyClientCertIfGiven") return ClientAuth::verify_client_cert_if_given;
  if (name == "RequireAndVerifyClientCert") return ClientAuth::require_and_verify_client_cert;
  return std::nullopt;
}

// A PEM given inline (`inline_name`) or as a file (`file_name`), not both.
struct Pem {
  std::string text;
  std::string origin;
  const Value* value = nullptr;  // where it was written; null when absent
};

Pem read_pem(const Reader& reader, const Fields& fields, const std::string& inline_name,
             const std::string& file_name, const Value& section) {
  const auto* inline_value = find(fields, inline_name);
  const auto* file_value = find(fields, file_name);
  if (inline_value != nullptr && !inline_value->present()) inline_value = nullptr;
  if (file_value != nullptr && !file_value->present()) file_value = nullptr;
  if (inline_value != nullptr && file_value != nullptr) {
    throw reader.error(file_value->line, file_value->key,
                       "give either " + inline_name + " or " + file_name + ", not both");
  }
  if (file_value != nullptr) {
    auto [path, text] = file_text(reader, *file_value, "a file name");
    return {std::move(text), path.string(), file_value};
  }
  if (inline_value != nullptr) {
    return {reader.string(*inline_value, "PEM text"), section.key + "." + inline_name,
            inline_value};
  }
  return {};
}

TlsServerConfig read_tls(const Reader& reader, const Value& section, const Fields& fields) {
  TlsServerConfig tls;
  const auto cert = read_pem(reader, fields, "cert", "cert_file", section);
  const auto key = read_pem(reader, fields, "key", "key_file", section);
  const auto client_ca = read_pem(reader, fields, "client_ca", "client_ca_file", section);
  if (cert.value == nullptr) {
    throw reader.error(section.line, section.key + ".cert_file",
                       "missing: TLS needs cert_file (or cert) and key_file (or key)");
  }
  if (key.value == nullptr) {
    throw reader.error(section.line, section.key + ".key_file",
                       "missing: TLS needs cert_file (or cert) and key_file (or key)");
  }
  tls.cert = cert.text;
  tls.cert_origin = cert.origin;
  tls.key = key.text;
  tls.key_origin = key.origin;
  tls.client_ca = client_ca.text;
  tls.client_ca_origin = client_ca.origin;

  const auto* auth = find(fields, "client_auth_type");
  if (auth != nullptr && auth->present()) {
    const auto parsed = client_auth(reader.string(*auth, "a client auth type"));
    if (!parsed) {
      throw reader.expected(*auth,
                            "one of NoClientCert, RequestClientCert, RequireAnyClientCert, "
                            "VerifyClientCertIfGiven, RequireAndVerifyClientCert");
    }
    tls.client_auth = *parsed;
  }
  const bool verifies = tls.client_auth == ClientAuth::verify_client_cert_if_given ||
                        tls.client_auth == ClientAuth::require_and_verify_client_cert;
  if (client_ca.value != nullptr && tls.client_auth == ClientAuth::no_client_cert) {
    throw reader.error(client_ca.value->line, client_ca.value->key,
                       "a client CA without client_auth_type has no effect; set client_auth_type: "
                       "RequireAndVerifyClientCert");
  }
  if (verifies && client_ca.value == nullptr) {
    throw reader.error(auth->line, auth->key,
                       "verifying client certificates needs client_ca_file (or client_ca)");
  }
  if (const auto* sans = find(fields, "client_allowed_sans"); sans != nullptr && sans->present()) {
    tls.client_allowed_sans = reader.strings(*sans, "a list of subject alternative names");
    if (tls.client_auth != ClientAuth::require_any_client_cert &&
        tls.client_auth != ClientAuth::require_and_verify_client_cert) {
      throw reader.error(sans->line, sans->key,
                         "needs client_auth_type RequireAnyClientCert or "
                         "RequireAndVerifyClientCert");
    }
  }
  for (const auto& [name, field] :
       {std::pair{"min_version", &tls.min_version}, std::pair{"max_version", &tls.max_version}}) {
    const auto* value = find(fields, name);
    if (value == nullptr || !value->present()) continue;
    const auto parsed = tls_version(reader.string(*value, "a TLS version"));
    if (!parsed) throw reader.expected(*value, "one of TLS10, TLS11, TLS12, TLS13");
    *field = *parsed;
  }
  if (tls.min_version > tls.max_version) {
    const auto* value = find(fields, "min_version");
    throw reader.error(value != nullptr ? value->line : section.line, section.key + ".min_version",
                       "is above max_version");
  }
  if (const auto* value = find(fields, "cipher_suites"); value != nullptr) {
    tls.cipher_suites = reader.strings(*value, "a list of cipher suite names");
  }
  if (const auto* value = find(fields, "prefer_server_cipher_suites");
      value != nullptr && value->present()) {
    tls.prefer_server_cipher_suites = reader.boolean(*value);
  }
  if (const auto* value = find(fields, "curve_preferences"); value != nullptr) {
    tls.curve_preferences = reader.strings(*value, "a list of curve names");
  }

  // Let OpenSSL read the certificates and keys now, so that errors name the line.
  try {
    const TlsContext check(tls);
  } catch (const TlsConfigError& e) {
    // The PEM keys name the file form; the value may have been given inline.
    const Value* where = e.key() == "cert_file"        ? cert.value
                         : e.key() == "key_file"       ? key.value
                         : e.key() == "client_ca_file" ? client_ca.value
                         : e.key().empty()             ? nullptr
                                                       : find(fields, e.key());
    throw reader.error(where != nullptr ? where->line : section.line,
                       where != nullptr ? where->key : section.key, e.what());
  }
  return tls;
}

// The headers exporter-toolkit lets a web config set.
constexpr std::string_view kHeaderNames[] = {"Strict-Transport-Security", "X-Content-Type-Options",
                                             "X-Frame-Options", "X-XSS-Protection",
                                             "Content-Security-Policy"};

// The values exporter-toolkit allows for a header; empty: any.
std::vector<std::string_view> allowed_values(std::string_view header) {
  if (header == "X-Content-Type-Options") return {"nosniff"};
  if (header == "X-Frame-Options") return {"deny", "sameorigin"};
  return {};
}

void read_http_server_config(const Reader& reader, const Value& section, WebConfig& config) {
  const auto fields = reader.mapping(section, {"http2", "headers"});
  if (const auto* http2 = find(fields, "http2"); http2 != nullptr && http2->present()) {
    reader.boolean(*http2);  // accepted; this server speaks HTTP/1.1 only
  }
  const auto* headers = find(fields, "headers");
  if (headers == nullptr) return;
  for (const auto& [name, value] :
       reader.entries(*headers, "a mapping of header names to values")) {
    const std::vector<std::string_view> names(std::begin(kHeaderNames), std::end(kHeaderNames));
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw reader.error(value.line, value.key,
                         "this header cannot be set, expected one of " + yaml::join(names));
    }
    if (!value.present()) continue;  // blank: not sent
    if (!value.node.IsScalar()) throw reader.expected(value, "a string");
    const auto& text = value.node.Scalar();
    if (text.find_first_of("\r\n", 0) != std::string::npos ||
        text.find('\0') != std::string::npos) {
      throw reader.expected(value, "a value on one line");
    }
    if (const auto values = allowed_values(name);
        !values.empty() && std::find(values.begin(), values.end(), text) == values.end()) {
      throw reader.expected(value, "one of " + yaml::join(values));
    }
    if (!text.empty()) config.headers.emplace_back(name, text);
  }
}

void read_users(const Reader& reader, const Value& section, WebConfig& config) {
  for (const auto& [user, value] :
       reader.entries(section, "a mapping of user names to bcrypt hashes")) {
    if (user.find(':') != std::string::npos) {
      throw reader.error(value.line, value.key,
                         "a user name cannot contain ':' (basic auth "
                         "splits user and password at the first one)");
    }
    const auto hash = value.node.IsScalar() ? value.node.Scalar() : std::string();
    if (const auto problem = bcrypt_hash_problem(hash)) {
      // Never echo the value: it is a password hash.
      throw reader.error(value.line, value.key, *problem);
    }
    config.basic_auth_users.emplace(user, hash);
  }
}

void read_rate_limit(const Reader& reader, const Value& section, WebConfig& config) {
  const auto fields = reader.mapping(section, {"interval", "burst"});
  if (const auto* interval = find(fields, "interval"); interval != nullptr && interval->present()) {
    const auto parsed =
        interval->node.IsScalar() ? parse_go_duration(interval->node.Scalar()) : std::nullopt;
    if (!parsed) throw reader.expected(*interval, "a duration such as 1s or 100ms, or 0");
    config.rate_limit.interval = *parsed;
  }
  if (const auto* burst = find(fields, "burst"); burst != nullptr && burst->present()) {
    config.rate_limit.burst = reader.integer(*burst, "a number of requests, 0 or more", 0);
  }
  if (config.rate_limit.interval.count() > 0 && config.rate_limit.burst < 1) {
    const auto* burst = find(fields, "burst");
    throw reader.error(burst != nullptr ? burst->line : section.line, section.key + ".burst",
                       "expected at least 1 when interval is set (0 would refuse every request)");
  }
}

}  // namespace

WebConfig load_web_config(const std::filesystem::path& file) {
  const Reader reader(file);
  const auto root = reader.load();
  WebConfig config;
  config.file = file;
  const auto fields = reader.mapping(
      root, {"tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"});
  if (const auto* tls = find(fields, "tls_server_config")) {
    // Unlike exporter-toolkit, any TLS setting turns TLS on, so that a file missing its
    // certificate is an error rather than plain HTTP.
    const auto tls_fields = reader.mapping(
        *tls, {"cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type",
               "client_ca_file", "client_allowed_sans", "min_version", "max_version",
               "cipher_suites", "prefer_server_cipher_suites", "curve_preferences"});
    bool any = false;
    for (const auto& [name, value] : tls_fields) any = any || value.present();
    if (any) config.tls = read_tls(reader, *tls, tls_fields);
  }
  if (const auto* http = find(fields, "http_server_config")) {
    read_http_server_config(reader, *http, config);
  }
  if (const auto* users = find(fields, "basic_auth_users")) read_users(reader, *users, config);
  if (const auto* limit = find(fields, "rate_limit")) read_rate_limit(reader, *limit, config);
  return config;
}

}  // namespace hashtag_exporter::prometheus_exporter
