// A file in a private temporary folder that a fuzz target rewrites with each input, for the
// functions under test that read a path. The folder is removed when the process exits normally.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace hashtag_exporter::fuzz {

class FuzzFile {
 public:
  explicit FuzzFile(const std::string& name) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "hashtag_exporter_fuzz.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    folder_ = pattern;
    path_ = folder_ / name;
  }
  ~FuzzFile() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  FuzzFile(const FuzzFile&) = delete;
  FuzzFile& operator=(const FuzzFile&) = delete;

  // Replaces the file's content with the input; returns its path.
  const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
      std::perror(path_.c_str());
      std::abort();
    }
    return path_;
  }

 private:
  std::filesystem::path folder_;
  std::filesystem::path path_;
};

// Stops the run with a message: libFuzzer reports the abort as a crash and saves the input.
[[noreturn]] inline void fail(const std::string& message) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", message.c_str());
  std::abort();
}

// What normalise_hashtag gives: not empty, ASCII case folded, no whitespace or control characters.
inline bool is_normalised_hashtag(const std::string& hashtag) {
  if (hashtag.empty()) return false;
  for (const char c : hashtag) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || byte <= 0x20 || byte == 0x7f) return false;
  }
  return true;
}

}  // namespace hashtag_exporter::fuzz
