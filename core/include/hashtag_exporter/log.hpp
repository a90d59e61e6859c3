#pragma once

#include <spdlog/common.h>

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

// Structured logging: a call site passes a message and key/value fields, e.g.
//   log::info("round committed", {{"source", name}, {"snapshots", count}});
// and the process logger's formatter (log_format.hpp) writes the record as logfmt or JSON.
// Quoting and escaping are the formatter's job, never the caller's.
namespace hashtag_exporter::log {

// A field's value: text, a whole number, a real number or a flag. Text is borrowed for the
// duration of the logging call only.
class Value {
 public:
  using Variant = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  Value(std::string_view text) : value_(text) {}
  Value(const std::string& text) : value_(std::string_view(text)) {}
  Value(const char* text) : value_(std::string_view(text)) {}
  Value(bool flag) : value_(flag) {}
  template <std::signed_integral Integer>
  Value(Integer number) : value_(static_cast<std::int64_t>(number)) {}
  template <std::unsigned_integral Integer>
  Value(Integer number) : value_(static_cast<std::uint64_t>(number)) {}
  Value(double number) : value_(number) {}

  const Variant& get() const { return value_; }

 private:
  Variant value_;
};

struct Field {
  std::string_view key;
  Value value;
};

// What one logging call says; the formatters write it, fields in the order given.
struct Record {
  std::string_view message;
  std::span<const Field> fields;
};

using Fields = std::initializer_list<Field>;

// Hands the record to the process logger (spdlog's default logger) when `level` is enabled.
void write(spdlog::level::level_enum level, std::string_view message, Fields fields);

inline void debug(std::string_view message, Fields fields = {}) {
  write(spdlog::level::debug, message, fields);
}
inline void info(std::string_view message, Fields fields = {}) {
  write(spdlog::level::info, message, fields);
}
inline void warn(std::string_view message, Fields fields = {}) {
  write(spdlog::level::warn, message, fields);
}
inline void error(std::string_view message, Fields fields = {}) {
  write(spdlog::level::err, message, fields);
}

}  // namespace hashtag_exporter::log
