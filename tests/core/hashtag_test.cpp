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

}  // namespace
}  // namespace hashtag_exporter
