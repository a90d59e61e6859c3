// An open gzip member, finished with different endings: each is one complete member.
#include "../../exporters/prometheus/src/gzip.hpp"

#include "gunzip.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// Bytes that do not compress, so that the output is larger than any first guess of its size.
std::string incompressible(std::size_t size) {
  std::mt19937 random(42);
  std::string out(size, '\0');
  for (auto& byte : out) byte = static_cast<char>(random());
  return out;
}

TEST(OpenGzipTest, EachFinishCompletesTheSameStartInOneMember) {
  const std::string start = "hashtag_up{source=\"tiktok\",hashtag=\"aitools\"} 1\n";
  const OpenGzip open(start);

  const auto first = *open.start() + open.finish("process_open_fds 9\n");
  const auto second = *open.start() + open.finish("process_open_fds 10\n");
  EXPECT_EQ(testing::gunzip(first), start + "process_open_fds 9\n");
  EXPECT_EQ(testing::gunzip(second), start + "process_open_fds 10\n");
}

TEST(OpenGzipTest, EmptyPartsMakeAValidMember) {
  const OpenGzip open("");
  EXPECT_EQ(testing::gunzip(*open.start() + open.finish("")), "");
  EXPECT_EQ(testing::gunzip(*open.start() + open.finish("end\n")), "end\n");
}

TEST(OpenGzipTest, OutputLargerThanItsFirstRoomIsWrittenWhole) {
  const auto start = incompressible(1 << 20);
  const auto end = incompressible(64 << 10);
  const OpenGzip open(start);
  EXPECT_EQ(testing::gunzip(*open.start() + open.finish(end)), start + end);
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
