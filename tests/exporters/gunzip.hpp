#pragma once

#include <zlib.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace hashtag_exporter::testing {

// Decompresses one gzip member with zlib, independently of the code under test. Anything after
// the member is an error: curl and other clients stop at the end of the first member, so an
// exposition sent as two members would lose its second.
inline std::string gunzip(std::string_view compressed) {
  z_stream stream{};
  // 15 + 16: the largest window, and expect a gzip header rather than a zlib one.
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  int status = Z_OK;
  while (status == Z_OK) {
    char chunk[16384];
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - stream.avail_out);
  }
  const auto left_over = stream.avail_in;
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  if (left_over != 0) throw std::runtime_error("bytes after the gzip member");
  return out;
}

}  // namespace hashtag_exporter::testing
