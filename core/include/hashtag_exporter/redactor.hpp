#pragma once

#include <hashtag_exporter/http_client.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace hashtag_exporter {

// True when a name (a setting's key, a header, an environment variable, a URL query parameter,
// a command-line option) says that its value is a credential: it contains, ignoring case, one
// of auth, cookie, credential, key, pass, secret, session, signature, token. Authorization,
// Proxy-Authorization, Cookie, X-Api-Key, api_key, PRIVATE-TOKEN, DB_PASSWORD all do.
bool names_secret(std::string_view name);

// Takes the secrets of one source out of the text its plugin hands the host (failure messages,
// log lines, hashtags, settings errors) before it is logged, stored or served. Plugins quote what
// an API answered, and an API may quote the credential it was sent; redacting in the host makes
// that safe for every plugin at once. Each secret is replaced by kMask, in the forms an upstream
// may echo it (as sent, percent-encoded, JSON-escaped), and what is left of it where a quote cut
// it short: at least kMinSecretLength of its first characters before "..." or the text's end.
class Redactor {
 public:
  static constexpr std::string_view kMask = "<redacted>";
  // Shorter values are not treated as secrets: a 1-character "secret" would blank every message,
  // and below 8 characters (NIST SP 800-63B's minimum for a memorised secret) a value is too
  // likely to be an ordinary word, number or hashtag of the message itself.
  static constexpr std::size_t kMinSecretLength = 8;
  // Credentials learned from requests (the most recently sent kept): a source sends one or two,
  // but a value that changes with every request (a signature, a nonce) must not grow the list
  // without end. 128 keeps two values (a credential and its part after the scheme) of every
  // request that can be in flight at once (max_in_flight is at most 64).
  static constexpr std::size_t kMaxRequestSecrets = 128;

  // The secrets a source's settings (a JSON object) name, at any depth:
  // - a string under a key that names a secret (api_key, token, password, Authorization in
  //   `headers` ...), and its credential part after the scheme ("Bearer KEY" -> "KEY");
  // - the environment variable named by a key ending in `_env` (api_key_env: SCAVIO_API_KEY);
  // - the value of every `${env:NAME}` reference (the SDK's secret syntax);
  // - in a list (a command line): the value of `--token=X`, `API_KEY=X`, `Authorization: X`,
  //   and the element after an option that names a secret (`--password X`).
  // A key ending in `_file` names a file, not a secret: its content is the plugin's to read,
  // and is redacted once the plugin sends it in a request (learn_request).
  void learn_settings(std::string_view settings_json);
  // Environment variables whose name names a secret (SCAVIO_API_KEY, GITHUB_TOKEN): programs of
  // the exec plugin and the defaults of plugins read their credentials from there.
  void learn_environment(const char* const* environment);
  // The credentials a request carries: the values of headers whose name names a secret and
  // their part after the scheme, each cookie's value (Cookie), query parameters whose name names
  // a secret, and the password of the URL's user information.
  void learn_request(const HttpRequest& request);

  std::string redact(std::string_view text) const;

 private:
  struct Secret {
    std::string value;
    std::vector<std::string> forms;  // as sent, percent-encoded, JSON-escaped
  };
  enum class Origin { settings, request };
  void walk_settings(const nlohmann::json& node, std::string_view key);
  void learn(std::string_view value, Origin origin);
  // The value, and the credential after its scheme ("Bearer KEY" -> "KEY").
  void learn_credential(std::string_view value, Origin origin);

  std::vector<Secret> configured_;
  std::deque<Secret> requested_;  // least recently sent first
};

}  // namespace hashtag_exporter
