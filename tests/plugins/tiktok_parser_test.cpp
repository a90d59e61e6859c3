#include "../../plugins/tiktok/response_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hashtag_exporter::tiktok {
namespace {

Counts counts_of(const ParsedResponse& parsed) {
  const auto* counts = std::get_if<Counts>(&parsed.result);
  if (counts == nullptr) {
    ADD_FAILURE() << "expected counts, got failure: " << std::get<Failure>(parsed.result).message;
    return {};
  }
  return *counts;
}

Failure failure_of(const ParsedResponse& parsed) {
  const auto* failure = std::get_if<Failure>(&parsed.result);
  if (failure == nullptr) {
    ADD_FAILURE() << "expected a failure, got counts " << std::get<Counts>(parsed.result).videos;
    return {};
  }
  return *failure;
}

hx_reason reason_of(std::string_view body) { return failure_of(parse_success_body(body)).reason; }

sdk::HttpResponse http(std::int32_t status, std::string body, std::uint32_t attempts = 1) {
  return sdk::HttpResponse{HX_TRANSPORT_OK, status, std::move(body), "", attempts};
}

sdk::HttpResponse transport(hx_transport_result result, std::string error,
                            std::uint32_t attempts = 1) {
  return sdk::HttpResponse{result, 0, "", std::move(error), attempts};
}

constexpr std::string_view kScavioBody = R"({
  "data": {"challengeInfo": {
    "challenge": {"id": "7000000003", "title": "llm"},
    "stats": {"videoCount": 1111, "viewCount": 166650},
    "statsV2": {"videoCount": "1111", "viewCount": "166650"}}},
  "credits_remaining": 4990, "credits_used": 1})";

TEST(TiktokParserTest, ReadsStatsV2Strings) {
  const auto parsed = parse_success_body(kScavioBody);
  EXPECT_EQ(counts_of(parsed).videos, 1111);
  EXPECT_EQ(counts_of(parsed).views, 166650);
  EXPECT_EQ(parsed.credits_remaining, 4990);
}

TEST(TiktokParserTest, PrefersStatsV2OverStats) {
  const auto parsed = parse_success_body(R"({"data": {"challengeInfo": {
      "stats": {"videoCount": 1, "viewCount": 2},
      "statsV2": {"videoCount": "30000000000", "viewCount": "9000000000000000000"}}}})");
  EXPECT_EQ(counts_of(parsed).videos, 30'000'000'000);
  EXPECT_EQ(counts_of(parsed).views, 9'000'000'000'000'000'000);
}

TEST(TiktokParserTest, ReadsStatsV2Numbers) {
  const auto parsed = parse_success_body(
      R"({"data": {"challengeInfo": {"statsV2": {"videoCount": 5, "viewCount": 6}}}})");
  EXPECT_EQ(counts_of(parsed).videos, 5);
  EXPECT_EQ(counts_of(parsed).views, 6);
}

TEST(TiktokParserTest, FallsBackToStats) {
  const auto parsed = parse_success_body(
      R"({"data": {"challengeInfo": {"stats": {"videoCount": 7, "viewCount": 8}}}})");
  EXPECT_EQ(counts_of(parsed).videos, 7);
  EXPECT_EQ(counts_of(parsed).views, 8);
  EXPECT_EQ(parsed.credits_remaining, std::nullopt);
}

TEST(TiktokParserTest, FallsBackToStatsWhenStatsV2IsIncomplete) {
  const auto parsed = parse_success_body(R"({"data": {"challengeInfo": {
      "statsV2": {"videoCount": "1"}, "stats": {"videoCount": 7, "viewCount": 8}}}})");
  EXPECT_EQ(counts_of(parsed).videos, 7);
}

TEST(TiktokParserTest, ReadsTheTutorialsTopLevelShape) {
  const auto parsed =
      parse_success_body(R"({"hashtag": "llm", "video_count": 12, "view_count": 1800})");
  EXPECT_EQ(counts_of(parsed).videos, 12);
  EXPECT_EQ(counts_of(parsed).views, 1800);
}

TEST(TiktokParserTest, ReadsCreditsUnderData) {
  const auto parsed = parse_success_body(
      R"({"data": {"credits_remaining": 12.5, "challengeInfo": {"stats": {"videoCount": 1, "viewCount": 1}}}})");
  EXPECT_EQ(parsed.credits_remaining, 12.5);
}

TEST(TiktokParserTest, IgnoresCreditsThatAreNotNumbers) {
  const auto parsed =
      parse_success_body(R"({"credits_remaining": "many", "video_count": 1, "view_count": 1})");
  EXPECT_EQ(parsed.credits_remaining, std::nullopt);
}

TEST(TiktokParserTest, AcceptsIntegralFloats) {
  const auto parsed = parse_success_body(
      R"({"data": {"challengeInfo": {"stats": {"videoCount": 1.0, "viewCount": 2e3}}}})");
  EXPECT_EQ(counts_of(parsed).videos, 1);
  EXPECT_EQ(counts_of(parsed).views, 2000);
}

TEST(TiktokParserTest, RejectsFractionalAndNegativeCounts) {
  EXPECT_EQ(
      reason_of(R"({"data": {"challengeInfo": {"stats": {"videoCount": 1.5, "viewCount": 2}}}})"),
      HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(
      reason_of(R"({"data": {"challengeInfo": {"stats": {"videoCount": -5, "viewCount": 2}}}})"),
      HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(
      reason_of(R"({"data": {"challengeInfo": {"stats": {"videoCount": 5, "viewCount": -1.0}}}})"),
      HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(reason_of(R"({"video_count": -1, "view_count": 2})"), HX_REASON_BAD_RESPONSE);
}

TEST(TiktokParserTest, RejectsStringsThatAreNotDigits) {
  for (const char* value : {R"("lots")", R"("-5")", R"("")", R"(" 5")", R"("+5")", R"("1.0")",
                            R"("99999999999999999999")"}) {
    const auto body = std::string(R"({"data": {"challengeInfo": {"statsV2": {"videoCount": )") +
                      value + R"(, "viewCount": "1"}}}})";
    const auto failure = failure_of(parse_success_body(body));
    EXPECT_EQ(failure.reason, HX_REASON_BAD_RESPONSE) << value;
    EXPECT_NE(failure.message.find("statsV2.videoCount"), std::string::npos) << failure.message;
  }
}

TEST(TiktokParserTest, RejectsCountsOfTheWrongType) {
  for (const char* value : {"true", "null", "[]", "{}", "18446744073709551615", "1e300"}) {
    const auto body =
        std::string(R"({"data": {"challengeInfo": {"stats": {"videoCount": 1, "viewCount": )") +
        value + "}}}}";
    EXPECT_EQ(reason_of(body), HX_REASON_BAD_RESPONSE) << value;
  }
}

TEST(TiktokParserTest, RejectsBodiesThatAreNotJsonObjects) {
  EXPECT_EQ(reason_of("<html><body>Service temporarily unavailable</body></html>"),
            HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(reason_of(""), HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(reason_of("[1, 2]"), HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(reason_of(R"("text")"), HX_REASON_BAD_RESPONSE);
}

TEST(TiktokParserTest, RejectsTruncatedJson) {
  const auto failure =
      failure_of(parse_success_body(kScavioBody.substr(0, kScavioBody.size() / 2)));
  EXPECT_EQ(failure.reason, HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(failure.message, "response is not valid JSON");
}

TEST(TiktokParserTest, TreatsDataWithoutChallengeInfoAsNotFound) {
  EXPECT_EQ(reason_of(R"({"data": {"statusCode": 10205}, "credits_remaining": 4})"),
            HX_REASON_NOT_FOUND);
  EXPECT_EQ(reason_of(R"({"data": {"challengeInfo": null}})"), HX_REASON_NOT_FOUND);
  EXPECT_EQ(reason_of(R"({"data": null})"), HX_REASON_NOT_FOUND);
  EXPECT_EQ(parse_success_body(R"({"data": {}, "credits_remaining": 4})").credits_remaining, 4);
}

TEST(TiktokParserTest, RejectsUnrecognisedShapes) {
  EXPECT_EQ(reason_of("{}"), HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(reason_of(R"({"data": {"challengeInfo": "llm"}})"), HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(reason_of(R"({"data": {"challengeInfo": {"challenge": {}}}})"), HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(reason_of(R"({"video_count": 5})"), HX_REASON_BAD_RESPONSE);
  const auto failure = failure_of(
      parse_success_body(R"({"error": {"code": "upstream", "message": "TikTok did not answer"}})"));
  EXPECT_EQ(failure.reason, HX_REASON_BAD_RESPONSE);
  EXPECT_NE(failure.message.find("upstream: TikTok did not answer"), std::string::npos);
}

TEST(TiktokParserTest, MapsHttpStatusesToReasons) {
  const std::pair<std::int32_t, hx_reason> cases[] = {
      {401, HX_REASON_AUTH},         {403, HX_REASON_AUTH},        {402, HX_REASON_CREDITS},
      {429, HX_REASON_RATE_LIMITED}, {404, HX_REASON_NOT_FOUND},   {400, HX_REASON_HTTP_4XX},
      {418, HX_REASON_HTTP_4XX},     {500, HX_REASON_HTTP_5XX},    {503, HX_REASON_HTTP_5XX},
      {302, HX_REASON_BAD_RESPONSE}, {101, HX_REASON_BAD_RESPONSE}};
  for (const auto& [status, reason] : cases) {
    EXPECT_EQ(failure_of(interpret_response(http(status, ""))).reason, reason) << status;
  }
}

TEST(TiktokParserTest, QuotesTheErrorBody) {
  const auto failure = failure_of(interpret_response(
      http(402, R"({"error": {"code": "insufficient_credits", "message": "Top up your plan"}})")));
  EXPECT_EQ(failure.reason, HX_REASON_CREDITS);
  EXPECT_EQ(failure.message, "HTTP 402: insufficient_credits: Top up your plan");
}

TEST(TiktokParserTest, QuotesNumericErrorCodesAndStringErrors) {
  EXPECT_EQ(failure_of(interpret_response(http(500, R"({"error": {"code": 17, "message": "x"}})")))
                .message,
            "HTTP 500: 17: x");
  EXPECT_EQ(failure_of(interpret_response(http(400, R"({"error": "bad hashtag"})"))).message,
            "HTTP 400: bad hashtag");
  EXPECT_EQ(failure_of(interpret_response(http(502, "<html>Bad Gateway</html>"))).message,
            "HTTP 502");
}

TEST(TiktokParserTest, KeepsQuotedErrorsShortAndOnOneLine) {
  const std::string long_message(1000, 'x');
  const auto failure = failure_of(interpret_response(
      http(500, R"({"error": {"code": "a\nb", "message": ")" + long_message + R"("}})")));
  EXPECT_LE(failure.message.size(), std::string("HTTP 500: ").size() + 200 + 3);
  EXPECT_EQ(failure.message.find('\n'), std::string::npos);
  EXPECT_NE(failure.message.find("a b: xxx"), std::string::npos);
}

TEST(TiktokParserTest, SaysHowManyAttemptsFailed) {
  const auto failure = failure_of(interpret_response(http(503, "", 3)));
  EXPECT_EQ(failure.message, "HTTP 503 (after 3 attempts)");
}

TEST(TiktokParserTest, ReadsCreditsFromErrorBodies) {
  const auto parsed = interpret_response(http(
      429,
      R"({"error": {"code": "rate_limited", "message": "slow down"}, "credits_remaining": 3})"));
  EXPECT_EQ(parsed.credits_remaining, 3);
}

TEST(TiktokParserTest, MapsTransportFailures) {
  EXPECT_EQ(failure_of(interpret_response(transport(HX_TRANSPORT_TIMEOUT, "timed out", 3))).reason,
            HX_REASON_TIMEOUT);
  const auto refused = failure_of(
      interpret_response(transport(HX_TRANSPORT_UNREACHABLE, "Couldn't connect to server")));
  EXPECT_EQ(refused.reason, HX_REASON_UNREACHABLE);
  EXPECT_NE(refused.message.find("Couldn't connect to server"), std::string::npos);
  const auto cancelled =
      failure_of(interpret_response(transport(HX_TRANSPORT_CANCELLED, "cancelled: shutting down")));
  EXPECT_EQ(cancelled.reason, HX_REASON_TIMEOUT);
  EXPECT_NE(cancelled.message.find("cancelled: shutting down"), std::string::npos);
  EXPECT_EQ(failure_of(interpret_response(transport(HX_TRANSPORT_OTHER, "SSL error"))).reason,
            HX_REASON_BAD_RESPONSE);
  EXPECT_EQ(
      failure_of(interpret_response(transport(HX_TRANSPORT_BODY_TOO_LARGE, "too big"))).reason,
      HX_REASON_BAD_RESPONSE);
}

TEST(TiktokParserTest, ParsesTheBodyOfA2xxAnswer) {
  const auto parsed = interpret_response(http(200, std::string(kScavioBody)));
  EXPECT_EQ(counts_of(parsed).videos, 1111);
  EXPECT_EQ(parsed.credits_remaining, 4990);
}

}  // namespace
}  // namespace hashtag_exporter::tiktok
