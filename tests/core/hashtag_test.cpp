#include <hashtag_exporter/config.hpp>

#include <gtest/gtest.h>

namespace hashtag_exporter {
namespace {

TEST(HashtagTest, DropsOneLeadingHashAndFoldsCase) {
  EXPECT_EQ(normalise_hashtag("#AITools"), "aitools");
  EXPECT_EQ(normalise_hashtag("aitools"), "aitools");
  EXPECT_EQ(normalise_hashtag("ChatGPT"), "chatgpt");
  EXPECT_EQ(normalise_hashtag("##ai"), "#ai");
}

TEST(HashtagTest, TrimsSurroundingSpacesBeforeDroppingTheHash) {
  EXPECT_EQ(normalise_hashtag("  #LLM "), "llm");
}

TEST(HashtagTest, KeepsDigitsPunctuationAndNonAsciiCharacters) {
  EXPECT_EQ(normalise_hashtag("#GPT-4o_mini"), "gpt-4o_mini");
  EXPECT_EQ(normalise_hashtag("#日本"), "日本");
  EXPECT_EQ(normalise_hashtag("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"),  // ZWJ sequence
            "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb");
}

// Stored histories are keyed by the normalised hashtag: ASCII must fold exactly as it always did.
TEST(HashtagTest, AsciiFoldsToLowerCaseOnly) {
  std::string every_printable;
  for (char c = '!'; c < 0x7f; ++c) every_printable += c;
  std::string expected = every_printable;
  for (auto& c : expected) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  EXPECT_EQ(normalise_hashtag(every_printable), expected);
  EXPECT_EQ(normalise_hashtag("ISTANBUL"), "istanbul");
}

TEST(HashtagTest, FoldsUnicodeCase) {
  EXPECT_EQ(normalise_hashtag("#CaFÉ"), "café");
  EXPECT_EQ(normalise_hashtag("ÉTÉ"), normalise_hashtag("été"));
  EXPECT_EQ(normalise_hashtag("ΣΟΦΟΣ"), normalise_hashtag("σοφος"));
  // The title-case digraph, its capital and its small form are one hashtag.
  EXPECT_EQ(normalise_hashtag("\u01c5"), "\u01c6");
  EXPECT_EQ(normalise_hashtag("\u01c4"), "\u01c6");
}

// Full case folding: the sharp s folds to "ss", as its capital does.
TEST(HashtagTest, FoldsSharpSToSs) {
  EXPECT_EQ(normalise_hashtag("Straße"), "strasse");
  EXPECT_EQ(normalise_hashtag("STRASSE"), "strasse");
  EXPECT_EQ(normalise_hashtag("STRA\u1e9eE"), "strasse");
}

// Default (not Turkic) folding: the dotted capital I keeps its dot as a combining mark, so it is
// not the ASCII "i"; the dotless small i stays itself.
TEST(HashtagTest, FoldsTurkishIWithoutTurkicRules) {
  EXPECT_EQ(normalise_hashtag("\u0130stanbul"), "i\u0307stanbul");
  EXPECT_NE(normalise_hashtag("\u0130stanbul"), normalise_hashtag("Istanbul"));
  EXPECT_EQ(normalise_hashtag("\u0131"), "\u0131");
}

// NFC: an accent typed as a combining mark is the same hashtag as the composed letter.
TEST(HashtagTest, ComposedAndDecomposedFormsAreOneHashtag) {
  EXPECT_EQ(normalise_hashtag("cafe\u0301"), "caf\u00e9");
  EXPECT_EQ(normalise_hashtag("CAFE\u0301"), normalise_hashtag("caf\u00e9"));
}

TEST(HashtagTest, UnicodeWhitespaceAndControlCharactersAreInvalid) {
  EXPECT_EQ(normalise_hashtag("ai\u00a0tools"), "");  // no-break space
  EXPECT_EQ(normalise_hashtag("ai\u3000tools"), "");  // ideographic space
  EXPECT_EQ(normalise_hashtag("ai\u0085"), "");       // next line
  EXPECT_EQ(normalise_hashtag("ai\u009b"), "");       // a C1 control
  EXPECT_EQ(hashtag_problem("ai\u3000tools"), "hashtag contains whitespace");
  EXPECT_EQ(hashtag_problem("ai\u009b"), "hashtag contains a control character");
}

TEST(HashtagTest, LengthIsBoundedInCharactersAfterFolding) {
  const std::string longest(kMaxHashtagCharacters, 'a');
  EXPECT_EQ(normalise_hashtag("#" + longest), longest);
  EXPECT_EQ(normalise_hashtag(longest + "b"), "");
  EXPECT_EQ(hashtag_problem(longest + "b"), "hashtag is longer than 100 characters");
  // Characters, not bytes: 100 three-byte characters fit.
  std::string japanese;
  for (std::size_t i = 0; i < kMaxHashtagCharacters; ++i) japanese += "日";
  EXPECT_EQ(normalise_hashtag(japanese), japanese);
  // 99 characters and a sharp s fold to 101.
  EXPECT_EQ(normalise_hashtag(std::string(kMaxHashtagCharacters - 1, 'a') + "ß"), "");
}

TEST(HashtagTest, NamesTheProblemOfAnInvalidHashtag) {
  EXPECT_EQ(hashtag_problem("#AI"), "");
  EXPECT_EQ(hashtag_problem(" # "), "hashtag is empty without its '#'");
  EXPECT_EQ(hashtag_problem("ai tools"), "hashtag contains whitespace");
  EXPECT_EQ(hashtag_problem("ai\x7f"), "hashtag contains a control character");
  EXPECT_EQ(hashtag_problem("ai\xff"), "hashtag is not valid UTF-8");
}

TEST(HashtagTest, EmptyAfterNormalisingIsInvalid) {
  EXPECT_EQ(normalise_hashtag(""), "");
  EXPECT_EQ(normalise_hashtag("#"), "");
  EXPECT_EQ(normalise_hashtag("   "), "");
  EXPECT_EQ(normalise_hashtag(" # "), "");
}

TEST(HashtagTest, InnerWhitespaceOrControlCharactersAreInvalid) {
  EXPECT_EQ(normalise_hashtag("ai tools"), "");
  EXPECT_EQ(normalise_hashtag("# ai"), "");
  EXPECT_EQ(normalise_hashtag("ai\ttools"), "");
  EXPECT_EQ(normalise_hashtag("ai\n"), "");
  EXPECT_EQ(normalise_hashtag(std::string_view("ai\0x", 4)), "");
  EXPECT_EQ(normalise_hashtag("ai\x7f"), "");
}

// Label values must be UTF-8: one stray byte would make every scrape unparsable.
TEST(HashtagTest, BytesThatAreNotUtf8AreInvalid) {
  EXPECT_EQ(normalise_hashtag("ai\xff"), "");
  EXPECT_EQ(normalise_hashtag("caf\xc3"), "");           // truncated character
  EXPECT_EQ(normalise_hashtag("\xc0\xaf"), "");          // overlong '/'
  EXPECT_EQ(normalise_hashtag("\xed\xa0\x80"), "");      // a surrogate
  EXPECT_EQ(normalise_hashtag("\xf4\x90\x80\x80"), "");  // above U+10FFFF
  EXPECT_EQ(normalise_hashtag("\x80"
                              "ai"),
            "");  // a lone continuation byte
  EXPECT_EQ(normalise_hashtag("\xf0\x9f\x94\xa5"
                              "AI"),
            "\xf0\x9f\x94\xa5"
            "ai");  // U+1F525
}

}  // namespace
}  // namespace hashtag_exporter
