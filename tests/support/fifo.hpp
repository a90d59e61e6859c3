#pragma once

#include <chrono>
#include <filesystem>
#include <functional>

namespace hashtag_exporter::testing {

// A FIFO that nobody writes: opening it for reading waits for a writer forever. Removed with the
// folder it is made in.
class Fifo {
 public:
  explicit Fifo(std::filesystem::path path);

  const std::filesystem::path& path() const { return path_; }

  // Runs `read` on another thread and waits at most `deadline` for it. If it is still blocked
  // (on opening or reading the FIFO) the FIFO's write end is opened and closed, which lets it
  // return, and the result is false: a test fails instead of hanging.
  bool returns_in_time(const std::function<void()>& read,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10)) const;

 private:
  std::filesystem::path path_;
};

}  // namespace hashtag_exporter::testing
