// The SDK's parsing of settings that every plugin shares: durations and URLs.
#include <hashtag_exporter/plugin/sdk.hpp>
#include <hashtag_exporter/plugin/sdk_http.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <optional>
#include <string>

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;

TEST(SdkDuration, ParsesPrometheusDurations) {
  EXPECT_EQ(sdk::parse_duration("500ms"), 500ms);
  EXPECT_EQ(sdk::parse_duration("1m30s"), 90s);
  EXPECT_EQ(sdk::parse_duration("1y"), 365 * 24h);
  EXPECT_EQ(sdk::parse_duration(""), std::nullopt);
  EXPECT_EQ(sdk::parse_duration("6x"), std::nullopt);
}

// Numbers past what milliseconds in 64 bits hold used to wrap into small or negative durations,
// which then passed every "at most" check.
TEST(SdkDuration, RejectsDurationsThatDoNotFitInsteadOfWrapping) {
  EXPECT_EQ(sdk::parse_duration("99999999999999999y"), std::nullopt);
  EXPECT_EQ(sdk::parse_duration("999999999999y"), std::nullopt);
  EXPECT_EQ(sdk::parse_duration("999999999999w999999999999w999999999999w"), std::nullopt);
  // 292471208 years is the most that fits; one more year, or one more millisecond, does not.
  EXPECT_EQ(sdk::parse_duration("292471208y")->count(), 292471208 * 31'536'000'000LL);
  EXPECT_EQ(sdk::parse_duration("292471209y"), std::nullopt);
  EXPECT_EQ(sdk::parse_duration("292471208y1y"), std::nullopt);
  EXPECT_EQ(sdk::parse_duration("292471208y"
                                "999999999999ms"),
            std::nullopt);
}

TEST(SdkDuration, SettingsRejectAHugeTimeoutWithTheKey) {
  sdk::Settings settings(nlohmann::json{{"timeout", "999999999999y"}});
  try {
    settings.duration("timeout", 15s);
    FAIL() << "a timeout of a trillion years was accepted";
  } catch (const sdk::SettingsError& e) {
    EXPECT_EQ(e.key(), "timeout");
  }
}

TEST(SdkUrl, AcceptsHttpAndHttpsUrls) {
  for (const auto* url :
       {"https://api.scavio.dev", "http://127.0.0.1:8080", "https://api.example.com/v1/t?x=1&y=%20",
        "http://[::1]:9/p", "http://fake_scavio:80/", "https://example.com./a/b;c=d@e",
        "https://EXAMPLE.com/~user/(x)*'+,!$"}) {
    EXPECT_EQ(sdk::http_url_problem(url), std::nullopt) << url;
  }
}

TEST(SdkUrl, NamesWhatIsWrongWithAUrl) {
  const auto problem = [](const char* url) { return sdk::http_url_problem(url).value_or("OK"); };
  EXPECT_EQ(problem("api.scavio.dev"), "expected an http:// or https:// URL");
  EXPECT_EQ(problem("ftp://example.com"), "expected an http:// or https:// URL");
  EXPECT_EQ(problem("https://"), "expected a host name after //");
  EXPECT_EQ(problem("https:///api"), "expected a host name after //");
  EXPECT_EQ(problem("https://:443"), "expected a host name after //");
  EXPECT_EQ(problem("https://api scavio.dev"), "the host name holds \" \"");
  EXPECT_EQ(problem("https://api..dev"), "the host name has an empty label");
  EXPECT_EQ(problem("https://bücher.example"), "the host name holds \"ü\"; write it as xn--");
  EXPECT_EQ(problem("http://[::1"), "expected ']' after an IPv6 address");
  EXPECT_EQ(problem("http://[zz]"), "the IPv6 address holds \"z\"");
  EXPECT_EQ(problem("https://example.com:"), "expected a port of 1 to 65535 after ':'");
  EXPECT_EQ(problem("https://example.com:99999"), "expected a port of 1 to 65535 after ':'");
  EXPECT_EQ(problem("https://example.com:0"), "expected a port of 1 to 65535 after ':'");
  EXPECT_EQ(problem("https://example.com:8o"), "expected a port of 1 to 65535 after ':'");
  EXPECT_EQ(problem("https://user:pw@example.com"), "expected no user name or password in the URL");
  EXPECT_EQ(problem("https://example.com/a b"),
            "the URL holds \" \", which must be percent-encoded");
  EXPECT_EQ(problem("https://example.com/a\nb"),
            "the URL holds \"\\n\", which must be percent-encoded");
  EXPECT_EQ(problem("https://example.com/%zz"),
            "the URL holds '%' without two hex digits after it");
  EXPECT_EQ(problem("https://example.com/#top"),
            "the URL has a fragment (#...), which is never sent to the server");
}

}  // namespace
}  // namespace hashtag_exporter
