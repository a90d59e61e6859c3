// The web server with a web config: TLS (through the OpenSSL 3 shim), basic auth, headers,
// client certificates, TLS versions and the rate limit.
#include <hashtag_exporter/prometheus/web_config.hpp>
#include <hashtag_exporter/prometheus/web_server.hpp>

#include "http.hpp"
#include "temp_dir.hpp"
#include "tls_test_files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using ::testing::HasSubstr;
using testing::http_request;
using testing::HttpCall;
using testing::kAliceHash;
using testing::kBobHash;
using testing::TempDir;
using testing::TestCertificates;
using testing::write_file;

// TLS with the test certificates, which every test writes beside its web config.
constexpr const char* kTlsConfig =
    "tls_server_config:\n"
    "  cert_file: server.crt\n"
    "  key_file: server.key\n";

// The shims are built beside the binary, in tls-shim/.
const std::filesystem::path kShimDir =
    std::filesystem::path(HX_TEST_EXPORTER_BINARY).parent_path() / "tls-shim";

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const auto byte = [&](std::size_t j) {
      return j < bytes.size() ? static_cast<unsigned char>(bytes[j]) : 0U;
    };
    const unsigned group = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    text += kAlphabet[(group >> 18) & 63];
    text += kAlphabet[(group >> 12) & 63];
    text += i + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=';
    text += i + 2 < bytes.size() ? kAlphabet[group & 63] : '=';
  }
  return text;
}

// A server started from a web config file written in a folder holding the test certificates.
class SecureServer {
 public:
  SecureServer(const TestCertificates& certificates, const std::string& web_config_yaml,
               std::atomic<int>* reloads = nullptr)
      : certificates_(certificates) {
    const auto file = certificates.dir / "web.yml";
    write_file(file, web_config_yaml);
    state_.update([](ExporterState& state) {
      HashtagState tag;
      tag.source = "tiktok";
      tag.hashtag = "aitools";
      tag.latest = Snapshot{1700000000, "tiktok", "aitools", 12345, 678};
      tag.up = true;
      state.hashtags = {tag};
    });
    WebOptions options;
    options.listen_addresses = {"127.0.0.1:0"};
    options.web_config = load_web_config(file);
    options.tls_library_dir = kShimDir;
    // On, so that /-/reload is guarded like every path.
    options.enable_lifecycle = true;
    WebHooks hooks{[] { return true; },
                   [reloads]() -> std::optional<std::string> {
                     if (reloads != nullptr) ++*reloads;
                     return std::nullopt;
                   }};
    server_ = std::make_unique<WebServer>(options, state_, hooks);
    tls_ = options.web_config.tls.has_value();
  }

  std::string url(const std::string& path) const {
    return std::string(tls_ ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(server_->ports().at(0)) + path;
  }

  // A call to `path` trusting the test CA.
  HttpCall call(const std::string& path) const {
    HttpCall call;
    call.url = url(path);
    call.ca_file = certificates_.path("ca.crt");
    return call;
  }

  HttpCall call_as(const std::string& path, const std::string& user,
                   const std::string& password) const {
    auto result = call(path);
    result.basic_auth = std::pair{user, password};
    return result;
  }

 private:
  TestCertificates certificates_;
  StateStore state_;
  std::unique_ptr<WebServer> server_;
  bool tls_ = false;
};

// One TLS + basic auth server for the request tests: stopping civetweb after it has served
// takes seconds.
class WebSecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    certificates_ = new TestCertificates(testing::make_test_certificates(dir_->path()));
    server_ = new SecureServer(*certificates_,
                               std::string(kTlsConfig) +
                                   "http_server_config:\n"
                                   "  headers:\n"
                                   "    X-Frame-Options: deny\n"
                                   "    Strict-Transport-Security: max-age=31536000\n"
                                   "basic_auth_users:\n"
                                   "  alice: " +
                                   kAliceHash + "\n  bob: " + kBobHash + "\n",
                               &reloads_);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete certificates_;
    delete dir_;
  }

  static HttpCall call(const std::string& path) { return server_->call(path); }
  static HttpCall alice(const std::string& path) {
    return server_->call_as(path, "alice", "secret");
  }
  static HttpCall with_authorization(const std::string& path, const std::string& value) {
    auto result = call(path);
    result.headers["Authorization"] = value;
    return result;
  }

  static void expect_unauthorized(const testing::HttpReply& reply, const std::string& what) {
    EXPECT_EQ(reply.status, 401) << what << ": " << reply.error;
    EXPECT_EQ(
        reply.headers.count("www-authenticate") == 0 ? "" : reply.headers.at("www-authenticate"),
        "Basic realm=\"hashtag_exporter\"")
        << what;
    EXPECT_EQ(reply.body, "Unauthorized.") << what;
  }

  static inline TempDir* dir_ = nullptr;
  static inline TestCertificates* certificates_ = nullptr;
  static inline SecureServer* server_ = nullptr;
  static inline std::atomic<int> reloads_ = 0;
};

TEST_F(WebSecurityTest, RightPasswordOverHttpsGetsTheMetrics) {
  const auto reply = http_request(alice("/metrics"));

  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_THAT(reply.body, HasSubstr("hashtag_videos{source=\"tiktok\",hashtag=\"aitools\"} 12345"));
  EXPECT_EQ(reply.headers.at("x-frame-options"), "deny");
  EXPECT_EQ(reply.headers.at("strict-transport-security"), "max-age=31536000");
  EXPECT_EQ(reply.headers.count("www-authenticate"), 0U);

  // bob's hash is in htpasswd's $2y$ form.
  EXPECT_EQ(http_request(server_->call_as("/metrics", "bob", "hunter2")).status, 200);
}

TEST_F(WebSecurityTest, NoPasswordIs401WithTheChallengeAndTheHeaders) {
  const auto reply = http_request(call("/metrics"));

  expect_unauthorized(reply, "no credentials");
  EXPECT_EQ(reply.headers.at("x-frame-options"), "deny");
  EXPECT_EQ(reply.headers.at("strict-transport-security"), "max-age=31536000");
}

TEST_F(WebSecurityTest, WrongPasswordOrUnknownUserIs401) {
  expect_unauthorized(http_request(server_->call_as("/metrics", "alice", "wrong")), "wrong");
  expect_unauthorized(http_request(server_->call_as("/metrics", "alice", "")), "empty");
  expect_unauthorized(http_request(server_->call_as("/metrics", "alice", "secret ")), "suffix");
  expect_unauthorized(http_request(server_->call_as("/metrics", "mallory", "secret")), "user");
  expect_unauthorized(http_request(server_->call_as("/metrics", "alice", "hunter2")), "bob's");
}

TEST_F(WebSecurityTest, ARememberedPasswordLetsOnlyThatPasswordIn) {
  ASSERT_EQ(http_request(alice("/metrics")).status, 200);
  ASSERT_EQ(http_request(alice("/metrics")).status, 200);  // from the cache
  expect_unauthorized(http_request(server_->call_as("/metrics", "alice", "secret2")), "other");
  expect_unauthorized(http_request(server_->call_as("/metrics", "bob", "secret")), "other user");
}

TEST_F(WebSecurityTest, MalformedAuthorizationIs401) {
  for (const std::string& value :
       {std::string("Bearer secret"), std::string("Basic"), std::string("Basic !!!!"),
        "Basic " + base64("alice"), "Basic " + base64("alice:secret").substr(1),
        "Digest " + base64("alice:secret"),
        // A NUL must not end the password early for crypt.
        "Basic " + base64(std::string("alice:secret\0tail", 17))}) {
    expect_unauthorized(http_request(with_authorization("/metrics", value)), value);
  }
  // The scheme is case-insensitive, as RFC 9110 says.
  EXPECT_EQ(http_request(with_authorization("/metrics", "basic " + base64("alice:secret"))).status,
            200);
}

TEST_F(WebSecurityTest, EveryPathAndMethodNeedsAuthentication) {
  for (const char* path : {"/", "/-/healthy", "/-/ready", "/api/v1/hashtags", "/nope"}) {
    expect_unauthorized(http_request(call(path)), path);
  }
  const int before = reloads_;
  auto reload = call("/-/reload");
  reload.method = "POST";
  expect_unauthorized(http_request(reload), "POST /-/reload");
  EXPECT_EQ(reloads_, before);

  auto head = call("/metrics");
  head.method = "HEAD";
  const auto reply = http_request(head);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.body, "");

  EXPECT_EQ(http_request(alice("/-/healthy")).status, 200);
  EXPECT_EQ(http_request(alice("/nope")).status, 404);
  reload.basic_auth = std::pair{"alice", "secret"};
  EXPECT_EQ(http_request(reload).status, 200);
  EXPECT_EQ(reloads_, before + 1);
}

// Keep-alive: a scraper's next request goes over the same TLS connection, without a handshake.
TEST_F(WebSecurityTest, AScraperKeepsItsTlsConnection) {
  testing::HttpSession scraper;
  const auto first = scraper.request(alice("/metrics"));
  ASSERT_EQ(first.status, 200) << first.error;
  const auto port = scraper.last_local_port();

  for (int i = 0; i < 3; ++i) {
    const auto next = scraper.request(alice("/metrics"));
    EXPECT_EQ(next.status, 200) << next.error;
    EXPECT_TRUE(scraper.last_reused_connection());
    EXPECT_EQ(scraper.last_local_port(), port);
  }
}

TEST_F(WebSecurityTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  auto plain = alice("/metrics");
  plain.url = "http" + plain.url.substr(5);
  const auto reply = http_request(plain);

  EXPECT_EQ(reply.status, 0);
  EXPECT_FALSE(reply.error.empty());
  // The server shrugs it off.
  EXPECT_EQ(http_request(alice("/metrics")).status, 200);
}

TEST_F(WebSecurityTest, AClientThatDoesNotTrustTheCaGetsNoAnswer) {
  auto untrusting = alice("/metrics");
  untrusting.ca_file = certificates_->path("other-ca.crt");
  const auto reply = http_request(untrusting);

  EXPECT_EQ(reply.status, 0);
  EXPECT_THAT(reply.error, HasSubstr("certificate"));
}

// Servers of their own.

// TLS that requires a client certificate signed by the test CA and naming one of `sans`.
std::string client_certificate_config(const std::string& sans) {
  return std::string(kTlsConfig) +
         "  client_auth_type: RequireAndVerifyClientCert\n"
         "  client_ca_file: ca.crt\n"
         "  client_allowed_sans: [" +
         sans + "]\n";
}

// A scrape of /metrics presenting the client certificate `name` (client or other-client).
HttpCall with_client_certificate(const SecureServer& server, const TestCertificates& certificates,
                                 const std::string& name) {
  auto call = server.call("/metrics");
  call.client_cert_file = certificates.path(name + ".crt");
  call.client_key_file = certificates.path(name + ".key");
  return call;
}

TEST(WebSecurityStartTest, ClientCertificatesAreRequiredAndVerified) {
  const TempDir dir;
  const auto certificates = testing::make_test_certificates(dir.path());
  const SecureServer server(certificates, client_certificate_config("scraper.example"));

  EXPECT_EQ(http_request(server.call("/metrics")).status, 0);
  const auto with = with_client_certificate(server, certificates, "client");
  EXPECT_EQ(http_request(with).status, 200) << http_request(with).error;
  EXPECT_EQ(http_request(with_client_certificate(server, certificates, "other-client")).status, 0);
}

TEST(WebSecurityStartTest, ClientCertificatesMustCarryAnAllowedName) {
  const TempDir dir;
  const auto certificates = testing::make_test_certificates(dir.path());
  const SecureServer server(certificates, client_certificate_config("someone.else, 10.0.0.1"));
  EXPECT_EQ(http_request(with_client_certificate(server, certificates, "client")).status, 0);
}

TEST(WebSecurityStartTest, MinVersionRefusesOlderClients) {
  const TempDir dir;
  const auto certificates = testing::make_test_certificates(dir.path());
  const SecureServer server(certificates, std::string(kTlsConfig) + "  min_version: TLS13\n");
  auto tls12 = server.call("/metrics");
  tls12.max_tls_version = "1.2";
  EXPECT_EQ(http_request(tls12).status, 0);
  EXPECT_EQ(http_request(server.call("/metrics")).status, 200);
}

TEST(WebSecurityStartTest, RateLimitAnswers429AndHeadersGoOnEveryAnswer) {
  const TempDir dir;
  const auto certificates = testing::make_test_certificates(dir.path());
  const SecureServer server(certificates,
                            "http_server_config:\n"
                            "  headers:\n"
                            "    X-Content-Type-Options: nosniff\n"
                            "rate_limit:\n"
                            "  interval: 1h\n"
                            "  burst: 2\n");
  // civetweb's own answers (here 400 for an oversized header) carry the headers too.
  auto oversized = server.call("/-/healthy");
  oversized.headers["X-Big"] = std::string(20000, 'a');
  const auto refused = http_request(oversized);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.headers.count("x-content-type-options") == 0
                ? ""
                : refused.headers.at("x-content-type-options"),
            "nosniff");

  EXPECT_EQ(http_request(server.call("/-/healthy")).status, 200);
  EXPECT_EQ(http_request(server.call("/-/healthy")).status, 200);
  const auto limited = http_request(server.call("/-/healthy"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.at("x-content-type-options"), "nosniff");
}

TEST(WebSecurityStartTest, RequestsThatFailAuthenticationDoNotSpendTheRateBudget) {
  const TempDir dir;
  const auto certificates = testing::make_test_certificates(dir.path());
  const SecureServer server(certificates, std::string("basic_auth_users:\n  alice: ") + kAliceHash +
                                              "\n"
                                              "rate_limit:\n"
                                              "  interval: 1h\n"
                                              "  burst: 2\n");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(http_request(server.call("/metrics")).status, 401);
    EXPECT_EQ(http_request(server.call_as("/metrics", "alice", "wrong")).status, 401);
    EXPECT_EQ(http_request(server.call_as("/metrics", "mallory", "secret")).status, 401);
  }
  // The scraper still has its whole budget, and no more.
  EXPECT_EQ(http_request(server.call_as("/metrics", "alice", "secret")).status, 200);
  EXPECT_EQ(http_request(server.call_as("/metrics", "alice", "secret")).status, 200);
  EXPECT_EQ(http_request(server.call_as("/metrics", "alice", "secret")).status, 429);
  EXPECT_EQ(http_request(server.call("/metrics")).status, 401);
}

TEST(WebSecurityStartTest, RefusesToStartWithoutTheOpenSslShim) {
  const TempDir dir;
  const auto certificates = testing::make_test_certificates(dir.path() / "certs");
  write_file(certificates.dir / "web.yml", kTlsConfig);
  StateStore state;
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.web_config = load_web_config(certificates.dir / "web.yml");
  const WebHooks hooks{[] { return true; }, [] { return std::optional<std::string>(); }};

  // Nothing there.
  options.tls_library_dir = dir.path() / "empty";
  std::filesystem::create_directories(options.tls_library_dir);
  try {
    WebServer server(options, state, hooks);
    FAIL() << "started TLS without the shim";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("TLS needs the OpenSSL 3 shim libcrypto.so"));
    EXPECT_THAT(e.what(),
                HasSubstr("cannot load " + (options.tls_library_dir / "libcrypto.so").string()));
  }

  // OpenSSL 3's own libssl, which lacks SSL_get_peer_certificate.
  options.tls_library_dir = dir.path() / "plain-openssl";
  std::filesystem::create_directories(options.tls_library_dir);
  std::filesystem::create_symlink(kShimDir / "libcrypto.so",
                                  options.tls_library_dir / "libcrypto.so");
  const std::filesystem::path system_libssl = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
  if (!std::filesystem::exists(system_libssl)) GTEST_SKIP() << "no " << system_libssl;
  std::filesystem::create_symlink(system_libssl, options.tls_library_dir / "libssl.so");
  try {
    WebServer server(options, state, hooks);
    FAIL() << "started TLS with OpenSSL 3's libssl";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("TLS needs the OpenSSL 3 shim libssl.so"));
    EXPECT_THAT(e.what(), HasSubstr("is not that shim"));
  }
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
