#pragma once

#include <memory>
#include <string>
#include <string_view>

typedef struct z_stream_s z_stream;

namespace hashtag_exporter::prometheus_exporter {

// A gzip member (RFC 1952) compressed up to a point and left open, to be finished with different
// endings: the exposition's rendered body is compressed once per state generation, and each
// scrape ends it with its own process metrics. start() + finish(end) is one complete member
// holding `start` then `end`; one member and not two concatenated, since clients such as curl
// stop at the end of the first. Throws std::runtime_error if zlib fails.
class OpenGzip {
 public:
  explicit OpenGzip(std::string_view start);
  ~OpenGzip();
  OpenGzip(const OpenGzip&) = delete;
  OpenGzip& operator=(const OpenGzip&) = delete;

  // The compressed start, shared so that a scrape sends it without a copy.
  const std::shared_ptr<const std::string>& start() const { return start_; }
  // The bytes that follow start(): `end` compressed, and the member's trailer. Leaves this
  // object as it was, so it may be called any number of times, from several threads at once.
  std::string finish(std::string_view end) const;

 private:
  std::shared_ptr<const std::string> start_;
  // zlib's state after `start`, flushed to a byte boundary; on the heap because it points to
  // itself. Copied (deflateCopy) by each finish, about 270 kB, rather than compressing the
  // whole body again.
  std::unique_ptr<z_stream, void (*)(z_stream*)> stream_;
};

}  // namespace hashtag_exporter::prometheus_exporter
