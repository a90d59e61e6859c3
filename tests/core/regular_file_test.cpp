// sdk::read_regular_file, which every file a user names goes through.
#include <hashtag_exporter/plugin/regular_file.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace hashtag_exporter {
namespace {

std::string error_of(const std::filesystem::path& file, std::size_t max_bytes) {
  try {
    sdk::read_regular_file(file, max_bytes);
  } catch (const sdk::FileError& e) {
    return e.what();
  }
  return "read";
}

TEST(ReadRegularFile, ReadsAFileUpToTheBound) {
  testing::TempDir dir;
  testing::write_file(dir / "four", "1234");
  EXPECT_EQ(sdk::read_regular_file(dir / "four", 4), "1234");
  EXPECT_EQ(error_of(dir / "four", 3), "is larger than 3 bytes");
  EXPECT_EQ(error_of(dir / "absent", 3), "No such file or directory");
}

TEST(ReadRegularFile, HoldsTheBoundWhileReading) {
  // Files of /proc say they are empty and are not: only the bytes read tell their size.
  EXPECT_EQ(error_of("/proc/self/maps", 16), "is larger than 16 bytes");
}

TEST(ReadRegularFile, NamesASocketRatherThanTheErrorOfOpeningIt) {
  testing::TempDir dir;
  const auto path = dir / "socket";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(error_of(path, 1024), "is a socket, not a regular file");
  close(fd);
}

}  // namespace
}  // namespace hashtag_exporter
