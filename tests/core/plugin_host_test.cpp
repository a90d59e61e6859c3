#include <hashtag_exporter/plugin_host.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;
const std::filesystem::path kBrokenPlugins = HX_TEST_TEST_PLUGIN_DIR;

std::string load_error(const std::filesystem::path& file) {
  try {
    LoadedPlugin::load(file);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "loaded";
}

TEST(PluginHost, LoadsAGoodPluginAndReadsItsTable) {
  const auto plugin = LoadedPlugin::load(kPlugins / "demo.so");
  EXPECT_EQ(plugin->description().name, "demo");
  EXPECT_EQ(plugin->description().version, "1.0.0");
  EXPECT_EQ(plugin->description().abi_version, HX_PLUGIN_ABI_VERSION);
  EXPECT_EQ(plugin->description().file, kPlugins / "demo.so");
  EXPECT_NE(plugin->table().collect, nullptr);
}

TEST(PluginHost, MissingFileIsNamed) {
  EXPECT_EQ(load_error("/nonexistent/tiktok.so"), "/nonexistent/tiktok.so: no such plugin file");
}

TEST(PluginHost, NewerAbiVersionNamesFileAndBothVersions) {
  const auto file = kBrokenPlugins / "newer_abi.so";
  EXPECT_EQ(load_error(file), file.string() + ": plugin ABI version 2 is not supported by this "
                                              "host, which supports ABI version 1; rebuild the "
                                              "plugin against this host's SDK or upgrade the host");
}

TEST(PluginHost, OlderAbiVersionNamesFileAndBothVersions) {
  const auto file = kBrokenPlugins / "older_abi.so";
  EXPECT_EQ(load_error(file), file.string() + ": plugin ABI version 0 is not supported by this "
                                              "host, which supports ABI version 1; rebuild the "
                                              "plugin against the current SDK");
}

TEST(PluginHost, MissingEntrySymbolIsNamed) {
  const auto file = kBrokenPlugins / "no_entry_symbol.so";
  EXPECT_EQ(load_error(file),
            file.string() + ": ABI version 1 but no entry symbol hashtag_exporter_plugin");
}

TEST(PluginHost, FileThatIsNotASharedLibraryIsRejected) {
  TempDir dir;
  testing::write_file(dir / "notes.so", "just text\n");
  EXPECT_EQ(load_error(dir / "notes.so"),
            (dir / "notes.so").string() + ": not a shared library (no ELF header)");
}

TEST(PluginHost, SharedLibraryWithoutTheAbiSymbolIsRejected) {
  const std::filesystem::path libc = "/lib/x86_64-linux-gnu/libz.so.1";
  if (!std::filesystem::exists(libc)) GTEST_SKIP() << "no " << libc;
  EXPECT_EQ(load_error(libc), libc.string() +
                                  ": not a hashtag_exporter plugin (no symbol "
                                  "hashtag_exporter_plugin_abi_version)");
}

TEST(PluginCatalog, ScansFoldersAndListsRejectionsAndDuplicates) {
  TempDir dir;
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "a_demo.so");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "b_demo_again.so");
  std::filesystem::copy_file(kBrokenPlugins / "newer_abi.so", dir / "newer_abi.so");
  testing::write_file(dir / "readme.txt", "ignored: not a .so\n");

  const auto catalog = PluginCatalog::scan({dir.path(), dir / "missing"});
  ASSERT_EQ(catalog.plugins().size(), 1u);
  EXPECT_EQ(catalog.get("demo")->description().file, dir / "a_demo.so");
  ASSERT_EQ(catalog.rejected().size(), 3u);
  EXPECT_EQ(catalog.rejected()[0].reason,
            "duplicate plugin name \"demo\", already provided by " + (dir / "a_demo.so").string());
  EXPECT_THAT(catalog.rejected()[1].reason, HasSubstr("plugin ABI version 2"));
  EXPECT_THAT(catalog.rejected()[2].reason,
              HasSubstr((dir / "missing").string() + ": cannot read plugin folder"));
}

TEST(PluginCatalog, UnknownPluginErrorListsWhatWasFound) {
  const auto catalog = PluginCatalog::scan({kPlugins});
  try {
    catalog.get("instagram");
    FAIL() << "expected an error";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no plugin named \"instagram\" in the plugin path [" +
                                    kPlugins.string() + "]; found: "));
    EXPECT_THAT(e.what(), HasSubstr("demo"));
    EXPECT_THAT(e.what(), HasSubstr("tiktok"));
  }
}

}  // namespace
}  // namespace hashtag_exporter
