#pragma once

#include <hashtag_exporter/prometheus/web_config.hpp>

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace hashtag_exporter::prometheus_exporter {

// Why a bcrypt hash from basic_auth_users cannot be used; nothing when it can.
std::optional<std::string> bcrypt_hash_problem(const std::string& hash);

// Whether `password` hashes to `hash` (bcrypt through libxcrypt's crypt_rn), compared in
// constant time.
bool bcrypt_matches(const std::string& password, const std::string& hash);

// The user and password of an "Authorization: Basic ..." header; nothing when the header is
// absent, of another scheme or malformed.
std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header);

// basic_auth_users: checks credentials against the bcrypt hashes. A bcrypt check costs tens of
// milliseconds by design, so successful checks are remembered as a SHA-256 of user, hash and
// password (never the password itself), like exporter-toolkit's cache; failures always pay
// the full cost, unknown users included (against a dummy hash, so timing does not tell which
// users exist).
class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users);

  bool enabled() const { return !users_.empty(); }
  // Whether the Authorization header (may be null) names a user with the right password.
  bool allows(const char* authorization) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static constexpr std::size_t kMaxCached = 256;

  std::map<std::string, std::string, std::less<>> users_;
  mutable std::mutex cache_mutex_;
  mutable std::set<Digest> cache_;
  // One bcrypt at a time: it is CPU-bound, and a flood of wrong passwords should not take every
  // core.
  mutable std::mutex bcrypt_mutex_;
};

// rate_limit: a token bucket of `burst` requests refilled one per `interval`.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit);
  // Takes a token; false when there is none (answer 429).
  bool admit();

 private:
  using Clock = std::chrono::steady_clock;
  RateLimit limit_;
  std::mutex mutex_;
  double tokens_ = 0;
  Clock::time_point last_;
};

}  // namespace hashtag_exporter::prometheus_exporter
