#include <hashtag_exporter/plugin/sdk_http.hpp>
#include <hashtag_exporter/plugin/trim.hpp>
#include <hashtag_exporter/redactor.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace hashtag_exporter {
namespace {

// What sdk::quote_text appends to a text it cut.
constexpr std::string_view kCutMarker = "...";

constexpr std::array<std::string_view, 9> kSecretWords{
    "auth", "cookie", "credential", "key", "pass", "secret", "session", "signature", "token"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
               hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The string as the inside of a JSON string (what an API that quotes it in JSON writes).
std::string json_escape(std::string_view text) {
  const auto quoted = nlohmann::json(std::string(text))
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

// Calls `each` with every `name` and `value` of `a=1&b=2` (URL queries) or `a=1; b=2` (cookies).
template <typename Each>
void for_each_pair(std::string_view text, char separator, Each each) {
  while (!text.empty()) {
    const auto end = std::min(text.find(separator), text.size());
    const auto pair = text.substr(0, end);
    if (const auto equals = pair.find('='); equals != std::string_view::npos) {
      each(sdk::trim(pair.substr(0, equals)), sdk::trim(pair.substr(equals + 1)));
    }
    text.remove_prefix(std::min(end + 1, text.size()));
  }
}

// `${env:NAME}` references, the SDK's syntax for secrets in settings (sdk::expand_secrets).
template <typename Each>
void for_each_env_reference(std::string_view text, Each each) {
  static constexpr std::string_view kOpen = "${env:";
  for (auto start = text.find(kOpen); start != std::string_view::npos;
       start = text.find(kOpen, start + 1)) {
    const auto end = text.find('}', start);
    if (end == std::string_view::npos) return;
    each(std::string(text.substr(start + kOpen.size(), end - start - kOpen.size())));
  }
}

const char* environment_value(const std::string& name) {
  return name.empty() ? nullptr : std::getenv(name.c_str());
}

}  // namespace

bool names_secret(std::string_view name) {
  const auto lowered = lower(name);
  return std::any_of(kSecretWords.begin(), kSecretWords.end(), [&](std::string_view word) {
    return lowered.find(word) != std::string::npos;
  });
}

void Redactor::learn(std::string_view value, Origin origin) {
  if (value.size() < kMinSecretLength) return;
  const auto same = [&](const Secret& secret) { return secret.value == value; };
  if (std::any_of(configured_.begin(), configured_.end(), same)) return;
  const auto json = json_escape(value);
  // Some JSON encoders (PHP's json_encode) also escape '/', common in base64 keys.
  std::string json_slashes;
  for (const char c : json) json_slashes += c == '/' ? std::string("\\/") : std::string(1, c);
  Secret secret{std::string(value), {std::string(value)}};
  for (auto form : {sdk::url_encode(value), json, json_slashes}) {
    if (std::find(secret.forms.begin(), secret.forms.end(), form) == secret.forms.end()) {
      secret.forms.push_back(std::move(form));
    }
  }
  if (origin == Origin::settings) {
    std::erase_if(requested_, same);
    configured_.push_back(std::move(secret));
    return;
  }
  // Sent again: it becomes the most recent, the last to be forgotten.
  std::erase_if(requested_, same);
  requested_.push_back(std::move(secret));
  if (requested_.size() > kMaxRequestSecrets) requested_.pop_front();
}

void Redactor::learn_credential(std::string_view value, Origin origin) {
  learn(value, origin);
  if (const auto space = value.find(' '); space != std::string_view::npos) {
    learn(sdk::trim(value.substr(space + 1)), origin);
  }
}

void Redactor::learn_settings(std::string_view settings_json) {
  const auto settings = nlohmann::json::parse(settings_json, nullptr, false);
  if (!settings.is_discarded()) walk_settings(settings, "");
}

void Redactor::walk_settings(const nlohmann::json& node, std::string_view key) {
  if (node.is_object()) {
    for (const auto& [name, value] : node.items()) walk_settings(value, name);
    return;
  }
  if (node.is_array()) {
    bool after_secret_option = false;
    for (const auto& element : node) {
      walk_settings(element, key);
      if (!element.is_string()) continue;
      const auto& text = element.get_ref<const std::string&>();
      if (after_secret_option) learn_credential(text, Origin::settings);
      const auto separator = text.find_first_of("=:");
      if (separator != std::string::npos) {
        const auto name = std::string_view(text).substr(0, separator);
        if (names_secret(name)) {
          learn_credential(sdk::trim(std::string_view(text).substr(separator + 1)),
                           Origin::settings);
        }
      }
      after_secret_option =
          text.starts_with('-') && separator == std::string::npos && names_secret(text);
    }
    return;
  }
  if (!node.is_string()) return;
  const auto& text = node.get_ref<const std::string&>();
  for_each_env_reference(text, [&](const std::string& name) {
    if (const char* value = environment_value(name)) learn_credential(value, Origin::settings);
  });
  if (key.ends_with("_env")) {
    if (const char* value = environment_value(text)) learn_credential(value, Origin::settings);
  } else if (!key.ends_with("_file") && names_secret(key) && text.find("${") == std::string::npos) {
    learn_credential(text, Origin::settings);
  }
}

void Redactor::learn_environment(const char* const* environment) {
  for (; environment != nullptr && *environment != nullptr; ++environment) {
    const std::string_view entry(*environment);
    const auto equals = entry.find('=');
    if (equals != std::string_view::npos && names_secret(entry.substr(0, equals))) {
      learn_credential(entry.substr(equals + 1), Origin::settings);
    }
  }
}

void Redactor::learn_request(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (lower(name) == "cookie") {
      // Each cookie's value: the names and the header as a whole are no secret.
      for_each_pair(value, ';', [&](std::string_view, std::string_view cookie) {
        learn(cookie, Origin::request);
      });
    } else if (names_secret(name)) {
      learn_credential(value, Origin::request);
    }
  }
  const std::string_view url(request.url);
  const auto scheme_end = url.find("://");
  const auto authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto authority =
      url.substr(authority_start, url.find_first_of("/?#", authority_start) - authority_start);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto user_info = authority.substr(0, at);
    if (const auto colon = user_info.find(':'); colon != std::string_view::npos) {
      learn(user_info.substr(colon + 1), Origin::request);
      learn(percent_decode(user_info.substr(colon + 1)), Origin::request);
    }
  }
  if (const auto question = url.find('?'); question != std::string_view::npos) {
    const auto query = url.substr(question + 1, url.find('#', question) - question - 1);
    for_each_pair(query, '&', [&](std::string_view name, std::string_view value) {
      if (!names_secret(percent_decode(name))) return;
      learn(value, Origin::request);
      learn(percent_decode(value), Origin::request);
    });
  }
}

std::string Redactor::redact(std::string_view text) const {
  // Where a quote may have cut a secret short: before the SDK's "..." and at the end of the text.
  std::vector<std::size_t> cuts;
  for (auto at = text.find(kCutMarker); at != std::string_view::npos;
       at = text.find(kCutMarker, at + 1)) {
    cuts.push_back(at);
  }
  cuts.push_back(text.size());

  std::vector<char> covered(text.size(), 0);
  const auto cover = [&](std::size_t position, std::size_t length) {
    std::fill_n(covered.begin() + static_cast<std::ptrdiff_t>(position), length, 1);
  };
  const auto redact_forms = [&](const Secret& secret) {
    for (const auto& form : secret.forms) {
      for (auto at = text.find(form); at != std::string_view::npos; at = text.find(form, at + 1)) {
        cover(at, form.size());
      }
      // What is left of a secret cut short is still too much of it.
      for (const auto cut : cuts) {
        for (auto length = std::min(form.size() - 1, cut); length >= kMinSecretLength; --length) {
          if (text.compare(cut - length, length, form, 0, length) == 0) {
            cover(cut - length, length);
            break;
          }
        }
      }
    }
  };
  std::for_each(configured_.begin(), configured_.end(), redact_forms);
  std::for_each(requested_.begin(), requested_.end(), redact_forms);

  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (!covered[i]) {
      out += text[i++];
      continue;
    }
    out += kMask;
    while (i < text.size() && covered[i]) ++i;
  }
  return out;
}

}  // namespace hashtag_exporter
