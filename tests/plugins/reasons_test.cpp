// The one table of failure reasons (abi.h's HX_REASONS, reasons.hpp): codes and labels are
// unique, look-ups go both ways, and the host exports exactly these labels.
#include <hashtag_exporter/plugin/reasons.hpp>
#include <hashtag_exporter/state.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace hashtag_exporter {
namespace {

TEST(Reasons, CodesAndLabelsAreUniqueAndLookUpsGoBothWays) {
  std::set<std::uint32_t> codes;
  std::set<std::string_view> labels;
  for (const auto& [reason, label] : sdk::kReasons) {
    EXPECT_TRUE(codes.insert(static_cast<std::uint32_t>(reason)).second) << label;
    EXPECT_TRUE(labels.insert(label).second) << label;
    EXPECT_EQ(sdk::reason_label(static_cast<std::uint32_t>(reason)), label);
    EXPECT_EQ(sdk::reason_named(label), reason);
    EXPECT_EQ(sdk::reason_of_code(static_cast<std::uint32_t>(reason)), reason);
  }
}

TEST(Reasons, UnreachableIsItsOwnReasonNotATimeout) {
  EXPECT_EQ(sdk::reason_label(HX_REASON_UNREACHABLE), "unreachable");
  EXPECT_EQ(sdk::reason_label(HX_REASON_TIMEOUT), "timeout");
  EXPECT_EQ(sdk::reason_named("unreachable"), HX_REASON_UNREACHABLE);
}

TEST(Reasons, AnUnknownCodeOrNameIsNoReason) {
  EXPECT_EQ(sdk::reason_of_code(0), std::nullopt);
  EXPECT_EQ(sdk::reason_of_code(1000), std::nullopt);
  EXPECT_EQ(sdk::reason_label(1000), "bad_response");
  EXPECT_EQ(sdk::reason_named("on_fire"), std::nullopt);
}

// The codes are part of the ABI: a code never changes meaning.
TEST(Reasons, CodesAreTheAbisCodes) {
  EXPECT_EQ(sdk::reason_named("timeout"), static_cast<hx_reason>(1));
  EXPECT_EQ(sdk::reason_named("bad_response"), static_cast<hx_reason>(5));
  EXPECT_EQ(sdk::reason_named("credits"), static_cast<hx_reason>(8));
  EXPECT_EQ(sdk::reason_named("unreachable"), static_cast<hx_reason>(9));
}

TEST(Reasons, TheHostExportsExactlyTheTablesLabelsInItsOrder) {
  ASSERT_EQ(std::size(kFailureReasons), std::size(sdk::kReasons));
  for (std::size_t i = 0; i < std::size(sdk::kReasons); ++i) {
    EXPECT_EQ(kFailureReasons[i], sdk::kReasons[i].label);
  }
}

}  // namespace
}  // namespace hashtag_exporter
