#include "access.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <regex>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// The salt part of a bcrypt hash: $2a$, $2b$ or $2y$, a two-digit cost, $ and 22 characters
// (31 characters of hash follow).
constexpr std::size_t kBcryptSettingLength = 29;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with padding (RFC 4648 section 4), as browsers and Prometheus send it.
std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t padding = !last ? 0 : text[i + 3] != '=' ? 0 : text[i + 2] != '=' ? 1 : 2;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const int value = j >= 4 - padding ? 0 : base64_value(text[i + j]);
      if (value < 0) return std::nullopt;
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    bytes.push_back(static_cast<char>(group >> 16));
    if (padding < 2) bytes.push_back(static_cast<char>((group >> 8) & 0xff));
    if (padding < 1) bytes.push_back(static_cast<char>(group & 0xff));
  }
  return bytes;
}

// crypt_rn's output for `password` under `setting` (a whole hash or its salt part); nothing if
// libxcrypt cannot hash with it.
std::optional<std::string> bcrypt(const std::string& password, const std::string& setting) {
  // Zeroed as crypt_rn wants it the first time; about 32 KiB, so not on a worker's stack.
  const auto data = std::make_unique<crypt_data>();
  const char* hashed = crypt_rn(password.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  if (hashed == nullptr || hashed[0] == '*') return std::nullopt;
  return std::string(hashed);
}

bool equal_in_constant_time(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string> bcrypt_hash_problem(const std::string& hash) {
  static const std::regex pattern(R"(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53})");
  if (!std::regex_match(hash, pattern)) {
    return "expected a bcrypt hash such as $2y$10$ followed by 53 characters (htpasswd -nBC 10 "
           "\"\" "
           "| tr -d ':\\n' makes one)";
  }
  const int cost = std::stoi(hash.substr(4, 2));
  if (cost < 4 || cost > 31) {
    return "bcrypt cost " + std::to_string(cost) + " is out of range, expected 4 to 31";
  }
  if (crypt_checksalt(hash.c_str()) != CRYPT_SALT_OK) {
    return "this bcrypt variant is not supported by libxcrypt";
  }
  return std::nullopt;
}

bool bcrypt_matches(const std::string& password, const std::string& hash) {
  // A NUL would end the password early for crypt: "secret\0anything" must not pass as "secret".
  if (password.find('\0') != std::string::npos) return false;
  const auto hashed = bcrypt(password, hash);
  return hashed && equal_in_constant_time(*hashed, hash);
}

std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), header.begin(), [](char a, char b) {
        return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
      })) {
    return std::nullopt;
  }
  auto credentials = header.substr(kScheme.size());
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  const auto decoded = decode_base64(credentials);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::pair{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) {
  for (auto& [user, hash] : users) users_.emplace(user, std::move(hash));
}

bool BasicAuth::allows(const char* authorization) const {
  if (users_.empty()) return true;
  if (authorization == nullptr) return false;
  const auto credentials = parse_basic_authorization(authorization);
  if (!credentials) return false;
  const auto& [user, password] = *credentials;

  const auto found = users_.find(user);
  if (found == users_.end()) {
    // Spend what a known user costs, with a salt of the same cost, then refuse.
    const auto& some_hash = users_.begin()->second;
    std::lock_guard lock(bcrypt_mutex_);
    (void)bcrypt(password, some_hash.substr(0, kBcryptSettingLength));
    return false;
  }
  const auto& hash = found->second;

  std::string material = user;
  material.push_back('\0');
  material += hash;
  material.push_back('\0');
  material += password;
  Digest digest{};
  unsigned int length = 0;
  const bool hashed = EVP_Digest(material.data(), material.size(), digest.data(), &length,
                                 EVP_sha256(), nullptr) == 1 &&
                      length == digest.size();
  OPENSSL_cleanse(material.data(), material.size());
  if (hashed) {
    std::lock_guard lock(cache_mutex_);
    if (cache_.count(digest) != 0) return true;
  }

  bool matches = false;
  {
    std::lock_guard lock(bcrypt_mutex_);
    matches = bcrypt_matches(password, hash);
  }
  if (matches && hashed) {
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_.insert(digest);
  }
  return matches;
}

RateLimiter::RateLimiter(RateLimit limit)
    : limit_(limit), tokens_(limit.burst), last_(Clock::now()) {}

bool RateLimiter::admit() {
  if (limit_.interval.count() <= 0) return true;
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  const std::chrono::duration<double, std::milli> elapsed = now - last_;
  last_ = now;
  tokens_ = std::min<double>(limit_.burst, tokens_ + elapsed.count() / limit_.interval.count());
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace hashtag_exporter::prometheus_exporter
