// Fuzzes the importer (hashtag_exporter::read_import_file) with any file content, CSV mostly and
// the tutorial tracker's SQLite file when the input starts with SQLite's magic: it must return
// valid snapshots or throw ImportError naming the file, and nothing else.
#include "fuzz_support.hpp"

#include <hashtag_exporter/import.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hashtag_exporter::fuzz::fail;
  static const hashtag_exporter::fuzz::FuzzFile file("import.csv");
  const auto& path = file.write(data, size);
  try {
    for (const auto& snapshot : hashtag_exporter::read_import_file(path, "fuzz")) {
      if (snapshot.source.empty()) fail("snapshot without a source");
      if (!hashtag_exporter::fuzz::is_normalised_hashtag(snapshot.hashtag)) {
        fail("hashtag not normalised: \"" + snapshot.hashtag + "\"");
      }
      if (snapshot.video_count < 0 || snapshot.view_count < 0) fail("negative count imported");
    }
  } catch (const hashtag_exporter::ImportError& e) {
    if (!std::string(e.what()).starts_with(path.string() + ":")) {
      fail(std::string("ImportError does not name the file: ") + e.what());
    }
  } catch (const std::exception& e) {
    fail(std::string("read_import_file threw something other than ImportError: ") + e.what());
  }
  return 0;
}
