#include <hashtag_exporter/config.hpp>
#include <hashtag_exporter/prometheus/web_config.hpp>
#include <hashtag_exporter/yaml_reader.hpp>

#include "fifo.hpp"
#include "temp_dir.hpp"
#include "tls_test_files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace hashtag_exporter::prometheus_exporter {
namespace {

using ::testing::HasSubstr;
using testing::kAliceHash;
using testing::kBobHash;
using ::testing::Not;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

// Certificates are made once: openssl takes a moment per key.
class WebConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certificates_dir_ = new TempDir;
    testing::make_test_certificates(certificates_dir_->path());
  }
  static void TearDownTestSuite() { delete certificates_dir_; }

  void SetUp() override {
    for (const char* name :
         {"ca.crt", "server.crt", "server.key", "client.crt", "client.key", "other-ca.crt"}) {
      std::filesystem::copy_file(certificates_dir_->path() / name, dir / name);
    }
  }

  std::filesystem::path write(const std::string& text) {
    const auto file = dir / "web.yml";
    write_file(file, text);
    return file;
  }

  // The ConfigError text of loading `text`, or "" when it loads.
  std::string error_of(const std::string& text) {
    try {
      load_web_config(write(text));
      return "";
    } catch (const ConfigError& e) {
      return e.what();
    }
  }

  std::string file() const { return (dir / "web.yml").string(); }

  static inline TempDir* certificates_dir_ = nullptr;
  TempDir dir;
};

TEST_F(WebConfigTest, ReadsEveryPart) {
  const auto config = load_web_config(
      write(std::string("tls_server_config:\n"
                        "  cert_file: server.crt\n"
                        "  key_file: server.key\n"
                        "  client_auth_type: RequireAndVerifyClientCert\n"
                        "  client_ca_file: ca.crt\n"
                        "  client_allowed_sans: [scraper.example]\n"
                        "  min_version: TLS13\n"
                        "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                        "  curve_preferences: [X25519, CurveP256]\n"
                        "  prefer_server_cipher_suites: false\n"
                        "http_server_config:\n"
                        "  http2: false\n"
                        "  headers:\n"
                        "    X-Frame-Options: sameorigin\n"
                        "    Strict-Transport-Security: max-age=300\n"
                        "    X-XSS-Protection: ''\n"
                        "basic_auth_users:\n"
                        "  alice: ") +
            kAliceHash + "\n  bob: " + kBobHash +
            "\n"
            "rate_limit:\n"
            "  interval: 100ms\n"
            "  burst: 5\n"));
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->cert, read_file(dir / "server.crt"));
  EXPECT_EQ(config.tls->key, read_file(dir / "server.key"));
  EXPECT_EQ(config.tls->client_ca, read_file(dir / "ca.crt"));
  EXPECT_EQ(config.tls->cert_origin, (dir / "server.crt").string());
  EXPECT_EQ(config.tls->client_auth, ClientAuth::require_and_verify_client_cert);
  EXPECT_EQ(config.tls->client_allowed_sans, std::vector<std::string>{"scraper.example"});
  EXPECT_EQ(config.tls->min_version, TlsVersion::tls13);
  EXPECT_EQ(config.tls->max_version, TlsVersion::tls13);
  EXPECT_FALSE(config.tls->prefer_server_cipher_suites);
  EXPECT_EQ(config.tls->curve_preferences, (std::vector<std::string>{"X25519", "CurveP256"}));
  // A blank header is not sent.
  EXPECT_EQ(config.headers,
            (std::vector<std::pair<std::string, std::string>>{
                {"X-Frame-Options", "sameorigin"}, {"Strict-Transport-Security", "max-age=300"}}));
  EXPECT_EQ(config.basic_auth_users,
            (std::map<std::string, std::string>{{"alice", kAliceHash}, {"bob", kBobHash}}));
  EXPECT_EQ(config.rate_limit.interval, std::chrono::milliseconds(100));
  EXPECT_EQ(config.rate_limit.burst, 5);
}

TEST_F(WebConfigTest, AnEmptyFileConfiguresNothing) {
  const auto config = load_web_config(write(""));
  EXPECT_FALSE(config.tls);
  EXPECT_TRUE(config.headers.empty());
  EXPECT_TRUE(config.basic_auth_users.empty());
  EXPECT_FALSE(load_web_config(write("tls_server_config:\n")).tls);
}

TEST_F(WebConfigTest, InlinePemWorksLikeFiles) {
  std::string text = "tls_server_config:\n  cert: |\n";
  for (const char* name : {"server.crt"}) {
    std::istringstream lines(read_file(dir / name));
    for (std::string line; std::getline(lines, line);) text += "    " + line + "\n";
  }
  text += "  key_file: server.key\n";
  const auto config = load_web_config(write(text));
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->cert, read_file(dir / "server.crt"));
  EXPECT_EQ(config.tls->cert_origin, "tls_server_config.cert");
}

TEST_F(WebConfigTest, UnknownKeysAreErrorsWithFileAndLine) {
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: server.crt\n  certfile: x\n"),
            file() +
                ":3: tls_server_config.certfile: unknown key, expected one of cert, key, "
                "client_ca, cert_file, key_file, client_auth_type, client_ca_file, "
                "client_allowed_sans, min_version, max_version, cipher_suites, "
                "prefer_server_cipher_suites, curve_preferences");
  EXPECT_EQ(error_of("basic_auth:\n  alice: x\n"),
            file() +
                ":1: basic_auth: unknown key, expected one of tls_server_config, "
                "http_server_config, basic_auth_users, rate_limit");
  EXPECT_EQ(error_of("http_server_config:\n  header: {}\n"),
            file() + ":2: http_server_config.header: unknown key, expected one of http2, headers");
  EXPECT_THAT(error_of("rate_limit:\n  every: 1s\n"),
              HasSubstr(":2: rate_limit.every: unknown key"));
}

TEST_F(WebConfigTest, MissingFilesAreNamed) {
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n"),
            file() + ":2: tls_server_config.cert_file: cannot read \"" +
                (dir / "missing.crt").string() + "\": No such file or directory");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: server.crt\n  key_file: /nope/server.key\n"),
            file() +
                ":3: tls_server_config.key_file: cannot read \"/nope/server.key\": No such "
                "file or directory");
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                       "  client_auth_type: RequireAndVerifyClientCert\n"
                       "  client_ca_file: clients.crt\n"),
              HasSubstr(":5: tls_server_config.client_ca_file: cannot read \"" +
                        (dir / "clients.crt").string() + "\""));
  try {
    load_web_config(dir / "absent.yml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir / "absent.yml").string() + ": cannot read: No such file or directory");
  }
}

TEST_F(WebConfigTest, CertificateFilesMustBeRegularFiles) {
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: /dev/zero\n  key_file: server.key\n"),
            file() +
                ":2: tls_server_config.cert_file: cannot read \"/dev/zero\": is a character "
                "device, not a regular file");
  std::filesystem::create_directory(dir / "clients");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                     "  client_auth_type: RequireAndVerifyClientCert\n"
                     "  client_ca_file: clients\n"),
            file() + ":5: tls_server_config.client_ca_file: cannot read \"" +
                (dir / "clients").string() + "\": is a directory");
  const testing::Fifo fifo(dir / "fifo.key");
  std::string error;
  EXPECT_TRUE(fifo.returns_in_time([&] {
    error = error_of("tls_server_config:\n  cert_file: server.crt\n  key_file: fifo.key\n");
  }));
  EXPECT_EQ(error, file() + ":3: tls_server_config.key_file: cannot read \"" +
                       fifo.path().string() + "\": is a FIFO, not a regular file");
}

TEST_F(WebConfigTest, CertificateFilesAreBounded) {
  // A valid chain followed by blank lines up to the bound loads; one byte more does not.
  auto pem = read_file(dir / "server.crt");
  pem.resize(kMaxPemFileBytes, '\n');
  write_file(dir / "padded.crt", pem);
  const std::string config =
      "tls_server_config:\n  cert_file: padded.crt\n  key_file: server.key\n";
  EXPECT_EQ(error_of(config), "");
  write_file(dir / "padded.crt", pem + "\n");
  EXPECT_EQ(error_of(config), file() + ":2: tls_server_config.cert_file: cannot read \"" +
                                  (dir / "padded.crt").string() + "\": is larger than " +
                                  std::to_string(kMaxPemFileBytes) + " bytes");
}

TEST_F(WebConfigTest, TheWebConfigFileIsBounded) {
  const std::string text = "basic_auth_users: {}\n#";
  EXPECT_EQ(error_of(text + std::string(yaml::kMaxFileBytes - text.size(), ' ')), "");
  EXPECT_EQ(
      error_of(text + std::string(yaml::kMaxFileBytes + 1 - text.size(), ' ')),
      file() + ": cannot read: is larger than " + std::to_string(yaml::kMaxFileBytes) + " bytes");
}

TEST_F(WebConfigTest, TlsNeedsBothCertificateAndKey) {
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: server.crt\n"),
            file() +
                ":1: tls_server_config.key_file: missing: TLS needs cert_file (or cert) and "
                "key_file (or key)");
  // Unlike exporter-toolkit, a TLS setting without a certificate is not plain HTTP.
  EXPECT_THAT(error_of("tls_server_config:\n  min_version: TLS13\n"),
              HasSubstr("tls_server_config.cert_file: missing"));
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: ''\n  key_file: server.key\n"),
              HasSubstr(":2: tls_server_config.cert_file: expected a file name, got \"\""));
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: server.crt\n  cert: x\n"
                       "  key_file: server.key\n"),
              HasSubstr(":2: tls_server_config.cert_file: give either cert or cert_file"));
}

TEST_F(WebConfigTest, CertificatesAndKeysAreCheckedByOpenSsl) {
  write_file(dir / "garbage.crt", "not a certificate\n");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: garbage.crt\n  key_file: server.key\n"),
            file() + ":2: tls_server_config.cert_file: " + (dir / "garbage.crt").string() +
                ": no PEM certificate found");
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n"),
              HasSubstr(":3: tls_server_config.key_file: " + (dir / "server.crt").string() +
                        ": not an unencrypted PEM private key"));
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n"),
              HasSubstr(":3: tls_server_config.key_file: " + (dir / "client.key").string() +
                        ": does not match the certificate of " + (dir / "server.crt").string()));
  // An encrypted key is refused, never prompted for.
  testing::openssl({"pkey", "-in", (dir / "server.key").string(), "-out",
                    (dir / "encrypted.key").string(), "-aes256", "-passout", "pass:pw"});
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: server.crt\n  key_file: encrypted.key\n"),
              HasSubstr(":3: tls_server_config.key_file: "));
}

TEST_F(WebConfigTest, ClientAuthSettingsMustFitTogether) {
  const std::string tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
  EXPECT_EQ(error_of(tls + "  client_auth_type: Always\n"),
            file() +
                ":4: tls_server_config.client_auth_type: expected one of NoClientCert, "
                "RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
                "RequireAndVerifyClientCert, got \"Always\"");
  EXPECT_THAT(error_of(tls + "  client_ca_file: ca.crt\n"),
              HasSubstr(":4: tls_server_config.client_ca_file: a client CA without "
                        "client_auth_type has no effect"));
  EXPECT_THAT(error_of(tls + "  client_auth_type: RequireAndVerifyClientCert\n"),
              HasSubstr(":4: tls_server_config.client_auth_type: verifying client certificates "
                        "needs client_ca_file (or client_ca)"));
  EXPECT_THAT(error_of(tls + "  client_auth_type: VerifyClientCertIfGiven\n"
                             "  client_ca_file: ca.crt\n  client_allowed_sans: [a]\n"),
              HasSubstr(":6: tls_server_config.client_allowed_sans: needs client_auth_type "
                        "RequireAnyClientCert or RequireAndVerifyClientCert"));
  EXPECT_EQ(error_of(tls + "  client_auth_type: RequireClientCert\n"), "");  // the old name
}

TEST_F(WebConfigTest, TlsVersionsCiphersAndCurvesAreChecked) {
  const std::string tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
  EXPECT_EQ(error_of(tls + "  min_version: TLS1.2\n"),
            file() +
                ":4: tls_server_config.min_version: expected one of TLS10, TLS11, TLS12, "
                "TLS13, got \"TLS1.2\"");
  EXPECT_EQ(error_of(tls + "  min_version: TLS13\n  max_version: TLS12\n"),
            file() + ":4: tls_server_config.min_version: is above max_version");
  EXPECT_EQ(error_of(tls + "  cipher_suites: [TLS_RSA_WITH_RC5]\n"),
            file() +
                ":4: tls_server_config.cipher_suites: unknown cipher suite "
                "\"TLS_RSA_WITH_RC5\"");
  EXPECT_EQ(error_of(tls + "  curve_preferences: [CurveP999]\n"),
            file() + ":4: tls_server_config.curve_preferences: unknown curve \"CurveP999\"");
  EXPECT_THAT(error_of(tls + "  prefer_server_cipher_suites: maybe\n"),
              HasSubstr(":4: tls_server_config.prefer_server_cipher_suites: expected true or "
                        "false, got \"maybe\""));
}

TEST_F(WebConfigTest, OnlyExporterToolkitsHeadersWithTheirValues) {
  EXPECT_EQ(error_of("http_server_config:\n  headers:\n    Server: hashtag\n"),
            file() +
                ":3: http_server_config.headers.Server: this header cannot be set, expected "
                "one of Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, "
                "X-XSS-Protection, Content-Security-Policy");
  EXPECT_EQ(error_of("http_server_config:\n  headers:\n    X-Frame-Options: allow\n"),
            file() +
                ":3: http_server_config.headers.X-Frame-Options: expected one of deny, "
                "sameorigin, got \"allow\"");
  EXPECT_THAT(error_of("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n"),
              HasSubstr("expected one of nosniff"));
  EXPECT_THAT(error_of("http_server_config:\n  headers:\n    Content-Security-Policy: "
                       "\"a\\r\\nSet-Cookie: x\"\n"),
              HasSubstr(":3: http_server_config.headers.Content-Security-Policy: expected a value "
                        "on one line"));
}

TEST_F(WebConfigTest, UsersNeedBcryptHashesWhichAreNeverEchoed) {
  EXPECT_EQ(error_of("basic_auth_users:\n  alice: plain-password\n"),
            file() +
                ":2: basic_auth_users.alice: expected a bcrypt hash such as $2y$10$ followed "
                "by 53 characters (htpasswd -nBC 10 \"\" | tr -d ':\\n' makes one)");
  EXPECT_THAT(error_of("basic_auth_users:\n  alice: $1$abc$0123456789012345678901\n"),
              Not(HasSubstr("0123456789")));
  EXPECT_THAT(error_of("basic_auth_users:\n  alice: "
                       "$2y$99$UNYWtUIK1Ycr2Vq3KVsNw.BpE9S0KvwSTd6DaigHYrATm9FrsredK\n"),
              HasSubstr("bcrypt cost 99 is out of range"));
  EXPECT_THAT(error_of(std::string("basic_auth_users:\n  'a:b': ") + kAliceHash + "\n"),
              HasSubstr(":2: basic_auth_users.a:b: a user name cannot contain ':'"));
  EXPECT_THAT(error_of("basic_auth_users: [alice]\n"),
              HasSubstr(":1: basic_auth_users: expected a mapping of user names to bcrypt hashes"));
}

TEST_F(WebConfigTest, RateLimitNeedsADurationAndABurst) {
  EXPECT_THAT(error_of("rate_limit:\n  interval: soon\n  burst: 1\n"),
              HasSubstr(":2: rate_limit.interval: expected a duration such as 1s or 100ms, or 0"));
  EXPECT_THAT(error_of("rate_limit:\n  interval: 1s\n"),
              HasSubstr("rate_limit.burst: expected at least 1 when interval is set"));
  EXPECT_THAT(error_of("rate_limit:\n  interval: 1s\n  burst: -1\n"),
              HasSubstr(":3: rate_limit.burst: expected a number of requests"));
  const auto config = load_web_config(write("rate_limit:\n  interval: 1m30s\n  burst: 2\n"));
  EXPECT_EQ(config.rate_limit.interval, std::chrono::seconds(90));
  EXPECT_EQ(load_web_config(write("rate_limit:\n  interval: 0\n")).rate_limit.interval.count(), 0);
}

TEST_F(WebConfigTest, YamlErrorsAndDuplicateKeysNameTheLine) {
  EXPECT_THAT(error_of("tls_server_config: [\n"), HasSubstr(file() + ":"));
  EXPECT_EQ(error_of(std::string("basic_auth_users:\n  alice: ") + kAliceHash +
                     "\n  alice: " + kBobHash + "\n"),
            file() + ":3: basic_auth_users.alice: duplicate key, first at line 2");
  EXPECT_THAT(error_of("a: 1\n---\nb: 2\n"), HasSubstr("expected one YAML document"));
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
