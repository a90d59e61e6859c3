#include <hashtag_exporter/config.hpp>

#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hashtag_exporter {
namespace {

enum class Problem { kNone, kEmpty, kNotUtf8, kWhitespace, kControl, kTooLong };

Problem character_problem(UChar32 c) {
  if (u_isUWhiteSpace(c)) return Problem::kWhitespace;
  // C0 and C1 controls; not u_iscntrl, which takes in format characters such as the zero-width
  // joiner of emoji sequences.
  if (u_charType(c) == U_CONTROL_CHAR) return Problem::kControl;
  return Problem::kNone;
}

const icu::Normalizer2& normalizer(const icu::Normalizer2* (*instance)(UErrorCode&)) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* found = instance(status);
  if (U_FAILURE(status)) {
    throw std::runtime_error(std::string("ICU normalisation data is missing: ") +
                             u_errorName(status));
  }
  return *found;
}

// Canonical caseless form (Unicode §3.13): NFD, full case folding, then NFC to store it short.
icu::UnicodeString fold(std::string_view text) {
  static const auto& nfd = normalizer(icu::Normalizer2::getNFDInstance);
  static const auto& nfc = normalizer(icu::Normalizer2::getNFCInstance);
  UErrorCode status = U_ZERO_ERROR;
  auto folded = nfd.normalize(icu::UnicodeString::fromUTF8(
                                  icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))),
                              status);
  folded.foldCase(U_FOLD_CASE_DEFAULT);
  folded = nfc.normalize(folded, status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU: ") + u_errorName(status));
  return folded;
}

// ASCII folds byte by byte, exactly as it always has: stored histories are keyed by the result.
Problem fold_ascii(std::string_view raw, std::string& tag) {
  if (raw.size() > kMaxHashtagCharacters) return Problem::kTooLong;
  tag.reserve(raw.size());
  for (const char c : raw) {
    if (const auto problem = character_problem(static_cast<unsigned char>(c));
        problem != Problem::kNone) {
      return problem;
    }
    tag.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return Problem::kNone;
}

Problem fold_unicode(std::string_view raw, std::string& tag) {
  const auto folded = fold(raw);
  if (folded.countChar32() > static_cast<int32_t>(kMaxHashtagCharacters)) return Problem::kTooLong;
  for (int32_t at = 0; at < folded.length(); at = folded.moveIndex32(at, 1)) {
    if (const auto problem = character_problem(folded.char32At(at)); problem != Problem::kNone) {
      return problem;
    }
  }
  folded.toUTF8String(tag);
  return Problem::kNone;
}

Problem normalise(std::string_view raw, std::string& tag) {
  const auto first = raw.find_first_not_of(' ');
  if (first == std::string_view::npos) return Problem::kEmpty;
  raw = raw.substr(first, raw.find_last_not_of(' ') - first + 1);
  if (raw.front() == '#') raw.remove_prefix(1);
  if (raw.empty()) return Problem::kEmpty;
  if (!is_utf8(raw)) return Problem::kNotUtf8;
  const bool ascii = std::all_of(raw.begin(), raw.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  return ascii ? fold_ascii(raw, tag) : fold_unicode(raw, tag);
}

}  // namespace

bool is_utf8(std::string_view text) {
  // nlohmann's serializer validates strictly (RFC 3629) and refuses what is not UTF-8.
  try {
    static_cast<void>(nlohmann::json(text).dump());
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

bool is_source_name(const std::string& name) {
  static const std::regex pattern("[a-zA-Z_][a-zA-Z0-9_-]*");
  return std::regex_match(name, pattern);
}

std::string normalise_hashtag(std::string_view raw) {
  std::string tag;
  return normalise(raw, tag) == Problem::kNone ? tag : std::string();
}

std::string hashtag_problem(std::string_view raw) {
  std::string tag;
  switch (normalise(raw, tag)) {
    case Problem::kNone: return "";
    case Problem::kEmpty: return "hashtag is empty without its '#'";
    case Problem::kNotUtf8: return "hashtag is not valid UTF-8";
    case Problem::kWhitespace: return "hashtag contains whitespace";
    case Problem::kControl: return "hashtag contains a control character";
    case Problem::kTooLong:
      return "hashtag is longer than " + std::to_string(kMaxHashtagCharacters) + " characters";
  }
  return "";
}

}  // namespace hashtag_exporter
