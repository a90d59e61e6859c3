// Fuzzes the TikTok plugin's reading of Scavio's answers (plugins/tiktok/response_parser.hpp)
// with any body, HTTP status, transport result and attempt count.
//
// Input: an optional first line "STATUS TRANSPORT ATTEMPTS" (decimal numbers, e.g. "200 0 1"),
// then the body. Without a newline the whole input is the body of a 200 answer. See
// corpus/tiktok_response/ for examples.
#include "fuzz_support.hpp"
#include "response_parser.hpp"

#include <hashtag_exporter/plugin/reasons.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

using hashtag_exporter::fuzz::fail;
namespace tiktok = hashtag_exporter::tiktok;

// The longest message a failure may carry: API text is quoted and cut to 200 characters, once
// for the error and once for a count; the rest is the parser's own words.
constexpr std::size_t kMaxMessage = 600;

// Reads the next decimal number of `line` (skipping spaces), or keeps `fallback`.
template <class T>
T next_number(std::string_view& line, T fallback) {
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  T value{};
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), value);
  if (error != std::errc()) return fallback;
  line.remove_prefix(static_cast<std::size_t>(end - line.data()));
  return value;
}

void check(const tiktok::ParsedResponse& parsed, std::string_view what) {
  if (const auto* counts = std::get_if<tiktok::Counts>(&parsed.result)) {
    if (counts->videos < 0 || counts->views < 0) fail(std::string(what) + ": negative count");
    return;
  }
  const auto& failure = std::get<tiktok::Failure>(parsed.result);
  if (!hashtag_exporter::sdk::reason_of_code(failure.reason)) {
    fail(std::string(what) + ": reason out of range: " + std::to_string(failure.reason));
  }
  if (failure.message.empty()) fail(std::string(what) + ": failure without a message");
  if (failure.message.size() > kMaxMessage) {
    fail(std::string(what) + ": message of " + std::to_string(failure.message.size()) +
         " bytes: " + failure.message.substr(0, 300));
  }
  // The message goes into one log line.
  for (const char c : failure.message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      fail(std::string(what) + ": control character in message: " + failure.message);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  hashtag_exporter::sdk::HttpResponse response;
  response.status = 200;
  response.attempts = 1;
  std::string_view body = input;
  if (const auto newline = input.find('\n'); newline != std::string_view::npos) {
    std::string_view header = input.substr(0, newline);
    const auto status = next_number<long>(header, -1);
    if (status >= 0) {
      response.status = status;
      const auto transport = next_number<unsigned>(header, HX_TRANSPORT_OK);
      response.transport = static_cast<hx_transport_result>(transport % (HX_TRANSPORT_OTHER + 1));
      response.attempts = next_number<std::uint32_t>(header, 1);
      body = input.substr(newline + 1);
    }
  }
  response.body = std::string(body);
  // The transport error is libcurl's text; any bytes will do.
  if (response.transport != HX_TRANSPORT_OK) response.error = response.body;

  check(tiktok::interpret_response(response), "interpret_response");
  check(tiktok::parse_success_body(body), "parse_success_body");
  return 0;
}
