#include "gzip.hpp"

#include <zlib.h>

#include <limits>
#include <memory>
#include <stdexcept>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// zlib's windowBits: 15 (the largest window) + 16 asks for a gzip header and trailer.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kDefaultMemoryLevel = 8;

}  // namespace

std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kDefaultMemoryLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  const std::unique_ptr<z_stream, decltype(&deflateEnd)> guard(&stream, &deflateEnd);

  // deflateBound is an upper limit for this stream's settings, so one Z_FINISH call suffices.
  const uLong bound = deflateBound(&stream, static_cast<uLong>(data.size()));
  if (bound > std::numeric_limits<uInt>::max()) {
    throw std::runtime_error("gzip: input too large for one deflate call");
  }
  std::string compressed(bound, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) {
    throw std::runtime_error(std::string("gzip: deflate failed: ") +
                             (stream.msg != nullptr ? stream.msg : "output buffer too small"));
  }
  compressed.resize(stream.total_out);
  compressed.shrink_to_fit();  // the bound is about the size of the input, ten times the output
  return compressed;
}

}  // namespace hashtag_exporter::prometheus_exporter
