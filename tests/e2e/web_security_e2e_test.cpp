// End to end: the real hashtag_exporter binary with --web.config.file (TLS through the OpenSSL 3
// shim, basic auth, headers) on the offline demo source, with certificates made at test time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "../exporters/tls_test_files.hpp"
#include "exporter_process.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBinary = HX_TEST_EXPORTER_BINARY;
// The example the README points at; its user is "prometheus" with the password "change-me".
const std::filesystem::path kExampleWebConfig =
    std::filesystem::path(HX_TEST_SOURCE_DIR) / "examples" / "web-config.yml";

class WebSecurityE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    certificates = make_test_certificates(dir.path());
    write_file(dir / "hashtag_exporter.yml",
               "storage:\n"
               "  path: history.db\n"
               "plugin_path: [" HX_TEST_PLUGIN_DIR
               "]\n"
               "sources:\n"
               "  - name: demo\n"
               "    plugin: demo\n"
               "    interval: 1s\n"
               "    hashtags: [aitools, llm]\n");
    // The shipped example, beside the certificates it names.
    std::filesystem::copy_file(kExampleWebConfig, dir / "web-config.yml");
  }

  std::vector<std::string> args(const std::string& web_config) const {
    return {"--config.file=" + (dir / "hashtag_exporter.yml").string(),
            "--web.config.file=" + web_config,
            "--web.listen-address=127.0.0.1:" + std::to_string(port)};
  }

  HttpCall call(const std::string& path) const {
    HttpCall call;
    call.url = "https://127.0.0.1:" + std::to_string(port) + path;
    call.ca_file = certificates.path("ca.crt");
    call.basic_auth = std::pair{"prometheus", "change-me"};
    return call;
  }

  // Starts the exporter with the example web config and waits until it is ready over HTTPS.
  std::unique_ptr<ExporterProcess> start() {
    port = free_port();
    auto process = std::make_unique<ExporterProcess>(
        kBinary, args((dir / "web-config.yml").string()), dir / "exporter.log");
    for (int waited = 0; waited < 10000; waited += 100) {
      if (http_request(call("/-/ready")).status == 200) return process;
      if (!process->running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "not ready over HTTPS:\n" << process->log_text();
    return process;
  }

  TempDir dir;
  TestCertificates certificates;
  int port = 0;
};

TEST_F(WebSecurityE2E, HttpsScrapeWithTheRightCaAndPasswordWorks) {
  auto exporter = start();
  const auto reply = http_request(call("/metrics"));

  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_THAT(reply.body, HasSubstr("hashtag_videos{source=\"demo\",hashtag=\"aitools\"} "));
  EXPECT_EQ(reply.headers.at("strict-transport-security"), "max-age=31536000");
  EXPECT_EQ(reply.headers.at("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply.headers.at("x-frame-options"), "deny");
  EXPECT_THAT(exporter->log_text(), HasSubstr("tls=on basic_auth_users=1 headers=3"));
  // The password never reaches the log.
  EXPECT_THAT(exporter->log_text(), ::testing::Not(HasSubstr("change-me")));
}

TEST_F(WebSecurityE2E, PlainHttpToTheTlsPortFails) {
  auto exporter = start();
  auto plain = call("/metrics");
  plain.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  const auto reply = http_request(plain);

  EXPECT_EQ(reply.status, 0);
  EXPECT_FALSE(reply.error.empty());
  EXPECT_TRUE(exporter->running());
  EXPECT_EQ(http_request(call("/metrics")).status, 200);
}

TEST_F(WebSecurityE2E, WrongOrMissingPasswordGets401) {
  auto exporter = start();
  auto wrong = call("/metrics");
  wrong.basic_auth = std::pair{"prometheus", "wrong"};
  auto missing = call("/metrics");
  missing.basic_auth.reset();

  for (const auto& reply : {http_request(wrong), http_request(missing)}) {
    EXPECT_EQ(reply.status, 401);
    EXPECT_EQ(reply.headers.at("www-authenticate"), "Basic realm=\"hashtag_exporter\"");
    EXPECT_EQ(reply.headers.at("x-frame-options"), "deny");
    EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("hashtag_")));
  }
  EXPECT_EQ(http_request(call("/metrics")).status, 200);
}

TEST_F(WebSecurityE2E, AnUntrustedServerCertificateIsRefusedByTheClient) {
  auto exporter = start();
  auto untrusting = call("/metrics");
  untrusting.ca_file = certificates.path("other-ca.crt");
  EXPECT_EQ(http_request(untrusting).status, 0);
}

TEST_F(WebSecurityE2E, PromtoolAcceptsTheExampleWebConfig) {
  if (!std::filesystem::exists("/usr/bin/promtool")) GTEST_SKIP() << "no promtool";
  const auto help = run_command({"/usr/bin/promtool", "check", "web-config", "--help"});
  if (help.exit_code != 0) GTEST_SKIP() << "this promtool has no check web-config";

  const auto check =
      run_command({"/usr/bin/promtool", "check", "web-config", (dir / "web-config.yml").string()});
  EXPECT_EQ(check.exit_code, 0) << check.output << check.errors;
  EXPECT_THAT(check.output + check.errors, HasSubstr("SUCCESS"));
}

TEST_F(WebSecurityE2E, MissingCertificateFileStopsTheExporterNamingIt) {
  write_file(dir / "broken.yml",
             "tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n");
  port = free_port();
  auto arguments = args((dir / "broken.yml").string());
  arguments.insert(arguments.begin(), kBinary);
  const auto result = run_command(arguments);

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.errors, HasSubstr("msg=\"cannot start\""));
  EXPECT_THAT(result.errors, HasSubstr("broken.yml:2: tls_server_config.cert_file: cannot read"));
  EXPECT_THAT(result.errors, HasSubstr((dir / "missing.crt").string()));
  EXPECT_THAT(result.errors, HasSubstr("No such file or directory"));
  // Nothing listened in between.
  EXPECT_EQ(http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics", 500).status, 0);
}

TEST_F(WebSecurityE2E, BadWebConfigStopsTheExporter) {
  write_file(dir / "typo.yml", "basic_auth_user:\n  alice: x\n");
  auto arguments = args((dir / "typo.yml").string());
  arguments.insert(arguments.begin(), kBinary);
  const auto result = run_command(arguments);

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.errors, HasSubstr("typo.yml:1: basic_auth_user: unknown key"));
}

TEST_F(WebSecurityE2E, RefusesTlsWithoutTheShimRatherThanServingPlainHttp) {
  // A copy of the binary without the tls-shim folder beside it.
  const auto lonely = dir / "bin" / "hashtag_exporter";
  std::filesystem::create_directories(lonely.parent_path());
  std::filesystem::copy_file(kBinary, lonely);
  std::filesystem::permissions(lonely, std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  port = free_port();
  auto arguments = args((dir / "web-config.yml").string());
  arguments.insert(arguments.begin(), lonely.string());
  const auto result = run_command(arguments);

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.errors, HasSubstr("TLS needs the OpenSSL 3 shim"));
  EXPECT_EQ(http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics", 500).status, 0);
}

TEST_F(WebSecurityE2E, TheBinaryFindsTheShimThroughItsRpath) {
  if (!std::filesystem::exists("/usr/bin/readelf")) GTEST_SKIP() << "no readelf";
  const auto dynamic = run_command({"/usr/bin/readelf", "-d", kBinary});
  ASSERT_EQ(dynamic.exit_code, 0) << dynamic.errors;
  // RPATH, not RUNPATH: only RPATH also applies to the libraries civetweb dlopens.
  EXPECT_THAT(dynamic.output, HasSubstr("(RPATH)"));
  EXPECT_THAT(dynamic.output, HasSubstr("$ORIGIN/tls-shim"));
  EXPECT_THAT(dynamic.output, ::testing::Not(HasSubstr("(RUNPATH)")));
  // No empty entry, which glibc would read as the current folder.
  EXPECT_THAT(dynamic.output, ::testing::Not(HasSubstr("::")));
  EXPECT_THAT(dynamic.output, ::testing::Not(HasSubstr(":]")));
  const auto shim = std::filesystem::path(kBinary).parent_path() / "tls-shim";
  EXPECT_TRUE(std::filesystem::exists(shim / "libssl.so"));
  EXPECT_TRUE(std::filesystem::exists(shim / "libcrypto.so"));
}

}  // namespace
}  // namespace hashtag_exporter::testing
