// The failure reasons of abi.h's HX_REASONS table as C++ values: the codes, their `reason`
// labels and the look-ups both ways. The host, the SDK's testing helpers and the plugins use
// these, so that a reason is named in one place only.
#pragma once

#include <hashtag_exporter/plugin/abi.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace hashtag_exporter::sdk {

struct ReasonName {
  hx_reason reason;
  std::string_view label;
};

#define HX_REASON_NAME(constant, code, label) ReasonName{constant, label},
// Every reason, in the order the host exports them.
inline constexpr ReasonName kReasons[] = {HX_REASONS(HX_REASON_NAME)};
#undef HX_REASON_NAME

#define HX_REASON_LABEL(constant, code, label) label,
// The labels alone, in the same order (the `reason` label values of the metrics).
inline constexpr const char* kReasonLabels[] = {HX_REASONS(HX_REASON_LABEL)};
#undef HX_REASON_LABEL

// The reason a code that crossed the boundary stands for; nothing for a code no reason has.
constexpr std::optional<hx_reason> reason_of_code(std::uint32_t code) {
  for (const auto& known : kReasons) {
    if (static_cast<std::uint32_t>(known.reason) == code) return known.reason;
  }
  return std::nullopt;
}

// The `reason` label of a code; a code no reason has is a bad response.
constexpr std::string_view reason_label(std::uint32_t code) {
  for (const auto& known : kReasons) {
    if (static_cast<std::uint32_t>(known.reason) == code) return known.label;
  }
  return "bad_response";
}

// The reason with the label `label` ("timeout", "unreachable", ...), if any.
constexpr std::optional<hx_reason> reason_named(std::string_view label) {
  for (const auto& known : kReasons) {
    if (known.label == label) return known.reason;
  }
  return std::nullopt;
}

}  // namespace hashtag_exporter::sdk
