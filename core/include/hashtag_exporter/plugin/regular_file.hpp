// Reading a file a user named (a config file, a secret, a certificate): only a regular file, and
// only up to a size the caller names, so that /dev/zero, a FIFO nobody writes or a log file given
// by mistake is an error rather than a process that blocks forever or fills its memory.
// Header-only and part of the SDK, so that plugins (built against the SDK alone), the core and
// the exporters share one implementation.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>

namespace hashtag_exporter::sdk {

// Why a file cannot be read, in words that follow the file's name in a message: "is a
// directory", "is larger than 65536 bytes", or the system's reason ("No such file or directory").
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

inline FileError system_file_error(int error) {
  return FileError(std::generic_category().message(error));
}

// Why a file of this type is not read; empty for a regular file.
inline std::string not_regular(mode_t mode) {
  if (S_ISREG(mode)) return {};
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO, not a regular file";
  if (S_ISCHR(mode)) return "is a character device, not a regular file";
  if (S_ISBLK(mode)) return "is a block device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

struct CloseDescriptor {
  int fd;
  ~CloseDescriptor() { ::close(fd); }
};

}  // namespace detail

// Why `file` is not a regular file ("is a directory", "is a FIFO, not a regular file"), or
// nothing when it is one: for callers that stream a large file themselves rather than read it
// whole. Throws FileError when the file cannot be looked at (it does not exist, say).
inline std::string not_a_regular_file(const std::filesystem::path& file) {
  struct stat status {};
  if (::stat(file.c_str(), &status) != 0) throw detail::system_file_error(errno);
  return detail::not_regular(status.st_mode);
}

// The whole content of `file`, which must be a regular file of at most `max_bytes` bytes. The
// file is opened without waiting for a FIFO's writer and checked through the opened descriptor,
// and the limit holds while reading too, for a file that grows. Throws FileError.
inline std::string read_regular_file(const std::filesystem::path& file, std::size_t max_bytes) {
  const auto too_large = [max_bytes] {
    return FileError("is larger than " + std::to_string(max_bytes) + " bytes");
  };
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, maybe forever.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    // A socket cannot be opened at all (ENXIO); say what it is rather than "No such device".
    struct stat status {};
    if (::stat(file.c_str(), &status) == 0 && !detail::not_regular(status.st_mode).empty()) {
      throw FileError(detail::not_regular(status.st_mode));
    }
    throw detail::system_file_error(error);
  }
  const detail::CloseDescriptor close_on_return{fd};
  struct stat status {};
  if (::fstat(fd, &status) != 0) throw detail::system_file_error(errno);
  if (const auto problem = detail::not_regular(status.st_mode); !problem.empty()) {
    throw FileError(problem);
  }
  if (static_cast<std::make_unsigned_t<off_t>>(status.st_size) > max_bytes) throw too_large();

  std::string text;
  char buffer[8192];
  for (;;) {
    const auto count = ::read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw detail::system_file_error(errno);
    if (count == 0) return text;
    if (static_cast<std::size_t>(count) > max_bytes - text.size()) throw too_large();
    text.append(buffer, static_cast<std::size_t>(count));
  }
}

}  // namespace hashtag_exporter::sdk
