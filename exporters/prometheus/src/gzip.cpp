#include "gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>

namespace hashtag_exporter::prometheus_exporter {
namespace {

// zlib's windowBits: 15 (the largest window) + 16 asks for a gzip header and trailer.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kDefaultMemoryLevel = 8;
// Output room for a finish: the process metrics compress to a few hundred bytes, and the
// loop below grows it if ever they do not fit.
constexpr std::size_t kEndRoom = 4096;

// Ends a stream deflateInit2 or deflateCopy set up (or one whose set-up failed: zlib then has
// nothing to free).
void end_stream(z_stream* stream) {
  deflateEnd(stream);
  delete stream;
}

// Feeds all of `input` to `stream` with `flush` (Z_SYNC_FLUSH or Z_FINISH) and returns what it
// writes, starting with `room` bytes of output and doubling them until deflate has written
// everything: it leaves output room unused only when it has nothing more to write.
std::string deflate_all(z_stream& stream, std::string_view input, int flush, std::size_t room) {
  if (input.size() > std::numeric_limits<uInt>::max()) {
    throw std::runtime_error("gzip: input too large for one deflate call");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  std::string out(room, '\0');
  std::size_t written = 0;
  while (true) {
    const auto free = std::min<std::size_t>(out.size() - written, std::numeric_limits<uInt>::max());
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + written);
    stream.avail_out = static_cast<uInt>(free);
    const int status = deflate(&stream, flush);
    written += free - stream.avail_out;
    if (status == Z_STREAM_ERROR) {
      throw std::runtime_error(std::string("gzip: deflate failed: ") +
                               (stream.msg != nullptr ? stream.msg : "inconsistent stream"));
    }
    if (stream.avail_out != 0) break;
    out.resize(out.size() * 2);
  }
  out.resize(written);
  return out;
}

}  // namespace

OpenGzip::OpenGzip(std::string_view start) : stream_(new z_stream{}, &end_stream) {
  if (deflateInit2(stream_.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits,
                   kDefaultMemoryLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  // deflateBound is about the size of the input, ten times the output: shrunk after.
  auto compressed = deflate_all(*stream_, start, Z_SYNC_FLUSH,
                                deflateBound(stream_.get(), static_cast<uLong>(start.size())));
  compressed.shrink_to_fit();
  start_ = std::make_shared<const std::string>(std::move(compressed));
}

OpenGzip::~OpenGzip() = default;

std::string OpenGzip::finish(std::string_view end) const {
  auto copy = std::make_unique<z_stream>();
  // A failed copy may still point to this stream's state: it is not ended, only freed.
  if (deflateCopy(copy.get(), stream_.get()) != Z_OK) {
    throw std::runtime_error("gzip: deflateCopy failed (out of memory)");
  }
  const std::unique_ptr<z_stream, void (*)(z_stream*)> ending(copy.release(), &end_stream);
  return deflate_all(*ending, end, Z_FINISH, kEndRoom);
}

}  // namespace hashtag_exporter::prometheus_exporter
