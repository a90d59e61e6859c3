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
  // Only ASCII is folded: "É" stays as written, the ASCII letters around it are lowered.
  EXPECT_EQ(normalise_hashtag("#CaFÉ"), "cafÉ");
  EXPECT_EQ(normalise_hashtag("#日本"), "日本");
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
  EXPECT_EQ(normalise_hashtag("caf\xc3"), "");            // truncated character
  EXPECT_EQ(normalise_hashtag("\xc0\xaf"), "");            // overlong '/'
  EXPECT_EQ(normalise_hashtag("\xed\xa0\x80"), "");        // a surrogate
  EXPECT_EQ(normalise_hashtag("\xf4\x90\x80\x80"), "");    // above U+10FFFF
  EXPECT_EQ(normalise_hashtag("\x80" "ai"), "");             // a lone continuation byte
  EXPECT_EQ(normalise_hashtag("\xf0\x9f\x94\xa5" "AI"), "\xf0\x9f\x94\xa5" "ai");  // U+1F525
}

}  // namespace
}  // namespace hashtag_exporter
