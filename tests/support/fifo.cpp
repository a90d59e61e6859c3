#include "fifo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>
#include <stdexcept>
#include <string>
#include <utility>

namespace hashtag_exporter::testing {

Fifo::Fifo(std::filesystem::path path) : path_(std::move(path)) {
  if (mkfifo(path_.c_str(), 0600) != 0)
    throw std::runtime_error("mkfifo failed: " + path_.string());
}

bool Fifo::returns_in_time(const std::function<void()>& read,
                           std::chrono::milliseconds deadline) const {
  auto done = std::async(std::launch::async, read);
  if (done.wait_for(deadline) == std::future_status::ready) {
    done.get();
    return true;
  }
  // A reader blocked in open() counts as a reader, so a non-blocking open of the write end
  // succeeds; closing it gives the reader an end of file. Retried until the reader returns.
  while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    const int writer = open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer >= 0) close(writer);
  }
  done.get();
  return false;
}

}  // namespace hashtag_exporter::testing
