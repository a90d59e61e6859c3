// The Redactor: which values count as secrets (settings, environment, requests) and how every
// occurrence of them leaves a text.
#include <hashtag_exporter/redactor.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace hashtag_exporter {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

HttpRequest request_with(std::vector<std::pair<std::string, std::string>> headers,
                         std::string url = "https://api.example.com/v1/hashtag") {
  HttpRequest request;
  request.url = std::move(url);
  request.headers = std::move(headers);
  return request;
}

// Sets an environment variable for the lifetime of the test.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
};

TEST(NamesSecret, CredentialWordsAnywhereInTheNameIgnoringCase) {
  for (const char* name :
       {"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "api_key", "apikey",
        "PRIVATE-TOKEN", "access_token", "DB_PASSWORD", "passwd", "client_secret", "X-Session-Id",
        "X-Signature", "credentials", "SCAVIO_API_KEY"}) {
    EXPECT_TRUE(names_secret(name)) << name;
  }
  for (const char* name : {"Content-Type", "Accept", "User-Agent", "url", "timeout", "hashtag",
                           "video_count_path", "command", "PATH", "HOME"}) {
    EXPECT_FALSE(names_secret(name)) << name;
  }
}

TEST(Redactor, CredentialHeadersOfARequestAreRedactedWithTheirPartAfterTheScheme) {
  Redactor redactor;
  redactor.learn_request(request_with({{"Authorization", "Bearer sk-live-123456"},
                                       {"X-Api-Key", "key-abcdefgh"},
                                       {"Proxy-Authorization", "Basic dXNlcjpwYXNz"},
                                       {"Content-Type", "application/json"}}));
  EXPECT_EQ(redactor.redact("header was: Bearer sk-live-123456."), "header was: <redacted>.");
  EXPECT_EQ(redactor.redact("unknown key sk-live-123456"), "unknown key <redacted>");
  EXPECT_EQ(redactor.redact("bad key-abcdefgh"), "bad <redacted>");
  EXPECT_EQ(redactor.redact("proxy said dXNlcjpwYXNz"), "proxy said <redacted>");
  // Not a credential header: its value is ordinary text.
  EXPECT_EQ(redactor.redact("expected application/json"), "expected application/json");
}

TEST(Redactor, EachCookieValueIsASecret) {
  Redactor redactor;
  redactor.learn_request(request_with({{"Cookie", "theme=dark; sid=0123456789abcdef"}}));
  EXPECT_EQ(redactor.redact("session 0123456789abcdef expired"), "session <redacted> expired");
  EXPECT_EQ(redactor.redact("sent theme=dark; sid=0123456789abcdef"),
            "sent theme=dark; sid=<redacted>");
}

TEST(Redactor, SecretQueryParametersAndTheUrlPasswordAreRedacted) {
  Redactor redactor;
  redactor.learn_request(request_with(
      {},
      "https://user:pa%24%24word1@api.example.com/v1?q=llm&api_key=abcdefgh%2B12&page=12345678"));
  EXPECT_EQ(redactor.redact("bad api_key abcdefgh%2B12"), "bad api_key <redacted>");
  EXPECT_EQ(redactor.redact("bad api_key abcdefgh+12"), "bad api_key <redacted>");
  EXPECT_EQ(redactor.redact("login pa$$word1 refused"), "login <redacted> refused");
  EXPECT_EQ(redactor.redact("page 12345678"), "page 12345678");  // not a secret's name
}

TEST(Redactor, SettingsWhoseKeyNamesASecretAtAnyDepth) {
  Redactor redactor;
  redactor.learn_settings(R"({"url": "https://api.example.com/v1/{hashtag}",
                              "api_key": "plain-key-123",
                              "auth": {"password": "hunter2hunter2"},
                              "headers": {"Authorization": "Token tok-abcdefgh",
                                          "Accept": "application/json"},
                              "timeout": "15s"})");
  EXPECT_EQ(redactor.redact("plain-key-123 / hunter2hunter2 / Token tok-abcdefgh / tok-abcdefgh"),
            "<redacted> / <redacted> / <redacted> / <redacted>");
  EXPECT_EQ(redactor.redact("https://api.example.com/v1/llm answered application/json"),
            "https://api.example.com/v1/llm answered application/json");
}

TEST(Redactor, SettingsPointingAtAnEnvironmentVariableRedactItsValue) {
  const ScopedEnv key("HX_REDACTOR_TEST_VAR", "env-secret-value");
  const ScopedEnv referenced("HX_REDACTOR_TEST_REF", "referenced-secret");
  Redactor redactor;
  redactor.learn_settings(R"({"api_key_env": "HX_REDACTOR_TEST_VAR",
                              "headers": {"X-Custom": "v=${env:HX_REDACTOR_TEST_REF}"},
                              "api_key_file": "/run/secrets/scavio"})");
  EXPECT_EQ(redactor.redact("got env-secret-value and referenced-secret"),
            "got <redacted> and <redacted>");
  // The path of a secret file is not itself a secret.
  EXPECT_EQ(redactor.redact("cannot read /run/secrets/scavio"), "cannot read /run/secrets/scavio");
}

// exec has no HTTP: its credentials are command-line arguments or environment variables.
TEST(Redactor, SecretsOnAConfiguredCommandLine) {
  Redactor redactor;
  redactor.learn_settings(R"({"command": ["/opt/counts.py", "--token=tok-1234567890",
                                          "--password", "pw-0987654321", "API_KEY=ak-13572468",
                                          "Authorization: Bearer hdr-24681357",
                                          "--verbose", "output-12345678", "keys.txt",
                                          "input-87654321"]})");
  EXPECT_EQ(redactor.redact("tok-1234567890 pw-0987654321 ak-13572468 hdr-24681357"),
            "<redacted> <redacted> <redacted> <redacted>");
  // Only an option (a leading '-') takes the next argument as its value.
  EXPECT_EQ(redactor.redact("/opt/counts.py --verbose output-12345678 keys.txt input-87654321"),
            "/opt/counts.py --verbose output-12345678 keys.txt input-87654321");
}

TEST(Redactor, EnvironmentVariablesThatNameASecret) {
  const char* environment[] = {"SCAVIO_API_KEY=scavio-key-42", "HOME=/home/exporter-user",
                               "GITHUB_TOKEN=ghp_abcdefgh", "BROKEN", nullptr};
  Redactor redactor;
  redactor.learn_environment(environment);
  EXPECT_EQ(redactor.redact("scavio-key-42 ghp_abcdefgh /home/exporter-user"),
            "<redacted> <redacted> /home/exporter-user");
}

TEST(Redactor, SecretsShorterThanTheMinimumAreNotRedacted) {
  static_assert(Redactor::kMinSecretLength == 8);
  Redactor redactor;
  redactor.learn_settings(R"({"token": "x", "password": "1234567", "secret": "12345678"})");
  EXPECT_EQ(redactor.redact("x 1234567 12345678"), "x 1234567 <redacted>");
}

TEST(Redactor, EveryOccurrenceAndEveryEncodingIsRedacted) {
  Redactor redactor;
  redactor.learn_settings(R"({"api_key": "k/e+y \"quoted\""})");
  EXPECT_EQ(redactor.redact(R"(k/e+y "quoted", again k/e+y "quoted")"),
            "<redacted>, again <redacted>");
  EXPECT_EQ(redactor.redact("url k%2Fe%2By%20%22quoted%22"), "url <redacted>");
  EXPECT_EQ(redactor.redact(R"({"echo": "k/e+y \"quoted\""})"), R"({"echo": "<redacted>"})");
  EXPECT_EQ(redactor.redact(R"({"echo": "k\/e+y \"quoted\""})"), R"({"echo": "<redacted>"})");
}

TEST(Redactor, OverlappingAndNestedSecretsLeaveNoPartBehind) {
  Redactor redactor;
  redactor.learn_settings(R"({"token": "abcdefghij", "secret": "ghijklmnop",
                              "password": "Bearer abcdefghij", "api_key": "xyzxyzxyz"})");
  EXPECT_EQ(redactor.redact("[abcdefghijklmnop]"), "[<redacted>]");
  EXPECT_EQ(redactor.redact("[Bearer abcdefghij]"), "[<redacted>]");
  EXPECT_EQ(redactor.redact("(xyzxyzxyzxyz)"), "(<redacted>)");  // found again inside itself
  EXPECT_EQ(redactor.redact("aaaaaaaaaaaa"), "aaaaaaaaaaaa");
}

TEST(Redactor, ASecretCutShortByAQuoteIsRedactedToo) {
  Redactor redactor;
  redactor.learn_request(request_with({{"Authorization", "Bearer sk-live-0123456789"}}));
  EXPECT_EQ(redactor.redact("HTTP 401: header Bearer sk-live-01..."),
            "HTTP 401: header <redacted>...");
  EXPECT_EQ(redactor.redact("HTTP 401: header Bearer sk-live-01... (after 3 attempts)"),
            "HTTP 401: header <redacted>... (after 3 attempts)");
  EXPECT_EQ(redactor.redact("HTTP 401: header sk-live-0"), "HTTP 401: header <redacted>");
  // Fewer characters than the minimum say too little to count.
  EXPECT_EQ(redactor.redact("header sk-live..."), "header sk-live...");
}

TEST(Redactor, OnlyTheLatestRequestCredentialsAreKept) {
  static_assert(Redactor::kMaxRequestSecrets >= 2 * 64,
                "two values of every request in flight (max_in_flight <= 64)");
  const auto signature = [](std::size_t request) {
    return "sig-" + std::to_string(10000000 + request);
  };
  Redactor redactor;
  const std::size_t requests = Redactor::kMaxRequestSecrets + 10;
  for (std::size_t i = 0; i < requests; ++i) {
    redactor.learn_request(
        request_with({{"Authorization", "Bearer constant-key"}, {"X-Signature", signature(i)}}));
  }
  // Sent with every request, the key stays the most recent ("Bearer constant-key" and
  // "constant-key"); the rest of the room holds the latest signatures, once each.
  EXPECT_EQ(redactor.redact("constant-key"), "<redacted>");
  const auto oldest_kept = requests - (Redactor::kMaxRequestSecrets - 2);
  EXPECT_EQ(redactor.redact(signature(oldest_kept)), "<redacted>");
  EXPECT_EQ(redactor.redact(signature(requests - 1)), "<redacted>");
  EXPECT_EQ(redactor.redact(signature(oldest_kept - 1)), signature(oldest_kept - 1));  // forgotten
}

TEST(Redactor, WithoutSecretsTextIsUnchanged) {
  EXPECT_EQ(Redactor().redact("HTTP 500: upstream failed"), "HTTP 500: upstream failed");
  EXPECT_EQ(Redactor().redact(""), "");
}

}  // namespace
}  // namespace hashtag_exporter
