#include "../../exporters/prometheus/src/recycled_body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hashtag_exporter::prometheus_exporter {
namespace {

const std::string kLargeBody(1 << 20, 'x');

TEST(RecycledBodyTest, TakesBackTheBufferOfABodyNobodyHolds) {
  const RecycledBody bodies;
  auto body = bodies.share(kLargeBody);
  EXPECT_EQ(*body, kLargeBody);
  EXPECT_EQ(bodies.take().capacity(), std::string().capacity());  // still held

  body.reset();
  const auto buffer = bodies.take();
  EXPECT_TRUE(buffer.empty());
  EXPECT_GE(buffer.capacity(), kLargeBody.size());
  EXPECT_EQ(bodies.take().capacity(), std::string().capacity());  // kept once only
}

TEST(RecycledBodyTest, KeepsTheLargestBufferOnly) {
  const RecycledBody bodies;
  auto large = bodies.share(kLargeBody);
  auto small = bodies.share("small");
  large.reset();
  small.reset();
  EXPECT_GE(bodies.take().capacity(), kLargeBody.size());
}

TEST(RecycledBodyTest, ABodyMayOutliveItsRecycler) {
  std::shared_ptr<const std::string> body;
  {
    const RecycledBody bodies;
    body = bodies.share(kLargeBody);
  }
  EXPECT_EQ(*body, kLargeBody);
  body.reset();  // the deleter still has somewhere to put the buffer
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
