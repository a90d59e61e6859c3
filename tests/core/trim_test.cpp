#include <hashtag_exporter/plugin/trim.hpp>

#include <gtest/gtest.h>

namespace hashtag_exporter::sdk {
namespace {

TEST(Trim, RemovesSpacesTabsAndLineBreaksAroundTheText) {
  EXPECT_EQ(trim(" \t\r\nkey value\r\n\t "), "key value");
  EXPECT_EQ(trim("key"), "key");
}

TEST(Trim, KeepsWhatIsInside) { EXPECT_EQ(trim("  a \t b  "), "a \t b"); }

TEST(Trim, WhiteSpaceAloneIsEmpty) {
  EXPECT_EQ(trim(" \t\r\n"), "");
  EXPECT_EQ(trim(""), "");
}

TEST(Trim, OtherControlCharactersAreText) { EXPECT_EQ(trim("\vkey\f"), "\vkey\f"); }

}  // namespace
}  // namespace hashtag_exporter::sdk
