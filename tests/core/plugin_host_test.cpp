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

const std::string kHostAbi = std::to_string(HX_PLUGIN_ABI_VERSION);

// Exact version only (abi.h): the next version is rejected as well as the previous one.
TEST(PluginHost, NewerAbiVersionNamesFileAndBothVersions) {
  const auto file = kBrokenPlugins / "newer_abi.so";
  EXPECT_EQ(load_error(file),
            file.string() + ": plugin ABI version " + std::to_string(HX_PLUGIN_ABI_VERSION + 1) +
                " is not supported by this host, which supports ABI version " + kHostAbi +
                "; rebuild the plugin against this host's SDK or upgrade the "
                "host");
}

TEST(PluginHost, OlderAbiVersionNamesFileAndBothVersions) {
  const auto file = kBrokenPlugins / "older_abi.so";
  EXPECT_EQ(load_error(file), file.string() + ": plugin ABI version " +
                                  std::to_string(HX_PLUGIN_ABI_VERSION - 1) +
                                  " is not supported by this host, which supports ABI version " +
                                  kHostAbi + "; rebuild the plugin against the current SDK");
}

TEST(PluginHost, ATableOfAnotherVersionThanItsSymbolIsRejected) {
  const auto file = kBrokenPlugins / "mismatched_table.so";
  EXPECT_EQ(load_error(file), file.string() + ": the plugin's function table is of ABI version " +
                                  std::to_string(HX_PLUGIN_ABI_VERSION - 1) + ", its symbol says " +
                                  kHostAbi);
}

TEST(PluginHost, MissingEntrySymbolIsNamed) {
  const auto file = kBrokenPlugins / "no_entry_symbol.so";
  EXPECT_EQ(load_error(file), file.string() + ": ABI version " + kHostAbi +
                                  " but no entry symbol hashtag_exporter_plugin");
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

std::string path_load_error(const PluginPath& path, std::string_view name) {
  try {
    path.load(name);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "loaded";
}

TEST(PluginPath, ListsThePluginFilesInSearchOrderWithoutLoadingThem) {
  TempDir dir;
  std::filesystem::create_directories(dir / "first");
  std::filesystem::create_directories(dir / "second");
  // Loading it would abort this process.
  std::filesystem::copy_file(kBrokenPlugins / "aborts_when_loaded.so", dir / "second" / "a.so");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "first" / "demo.so");
  testing::write_file(dir / "first" / "readme.txt", "ignored: not a .so\n");
  const PluginPath path({dir / "second", dir / "missing", dir / "first"});
  EXPECT_EQ(path.files(), (std::vector<std::filesystem::path>{dir / "second" / "a.so",
                                                              dir / "first" / "demo.so"}));
  ASSERT_EQ(path.unreadable_folders().size(), 1u);
  EXPECT_THAT(path.unreadable_folders()[0].reason,
              HasSubstr((dir / "missing").string() + ": cannot read plugin folder: "));
  EXPECT_EQ(path.load("demo")->description().file, dir / "first" / "demo.so");
}

TEST(PluginPath, UsesTheFirstFileOfTheNameAndRejectsItWithoutFallingBack) {
  TempDir dir;
  std::filesystem::create_directories(dir / "first");
  std::filesystem::create_directories(dir / "second");
  std::filesystem::copy_file(kBrokenPlugins / "older_abi.so", dir / "first" / "demo.so");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "second" / "demo.so");
  EXPECT_THAT(path_load_error(PluginPath({dir / "first", dir / "second"}), "demo"),
              HasSubstr((dir / "first" / "demo.so").string() + ": plugin ABI version " +
                        std::to_string(HX_PLUGIN_ABI_VERSION - 1) + " "));
  EXPECT_EQ(PluginPath({dir / "second", dir / "first"}).load("demo")->description().file,
            dir / "second" / "demo.so");
}

TEST(PluginPath, FileDeclaringAnotherNameIsRejectedNamingFileAndBothNames) {
  TempDir dir;
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "tiktok.so");
  EXPECT_EQ(path_load_error(PluginPath({dir.path()}), "tiktok"),
            (dir / "tiktok.so").string() +
                ": the plugin in this file is named \"demo\", not \"tiktok\" (a plugin is found "
                "by its file name, <name>.so)");
}

TEST(PluginPath, UnknownPluginErrorListsTheFoldersAndTheNamesOnThePath) {
  TempDir dir;
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "demo.so");
  testing::write_file(dir / "notes.so", "not a library, and not loaded to list its name\n");
  EXPECT_EQ(path_load_error(PluginPath({dir.path(), dir / "missing", dir.path()}), "instagram"),
            "no plugin named \"instagram\" in the plugin path [" + dir.path().string() + ", " +
                (dir / "missing").string() + ", " + dir.path().string() +
                "]; found: demo, notes; " + (dir / "missing").string() +
                ": cannot read plugin folder: No such file or directory");
  EXPECT_EQ(path_load_error(PluginPath({dir / "missing"}), "demo"),
            "no plugin named \"demo\" in the plugin path [" + (dir / "missing").string() +
                "]; found: none; " + (dir / "missing").string() +
                ": cannot read plugin folder: No such file or directory");
}

TEST(PluginPath, ANameIsNeverAPathOutOfThePluginFolders) {
  TempDir dir;
  std::filesystem::create_directories(dir / "plugins");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "demo.so");
  EXPECT_THAT(path_load_error(PluginPath({dir / "plugins"}), "../demo"),
              HasSubstr("no plugin named \"../demo\" in the plugin path"));
}

TEST(PluginCatalog, LoadsEveryFileAndRejectsTheOnesTheLookupWouldNotUse) {
  TempDir dir;
  std::filesystem::create_directories(dir / "first");
  std::filesystem::create_directories(dir / "second");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "first" / "demo.so");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "first" / "a_demo.so");
  std::filesystem::copy_file(kBrokenPlugins / "newer_abi.so", dir / "first" / "newer_abi.so");
  std::filesystem::copy_file(kPlugins / "tiktok.so", dir / "second" / "tiktok.so");
  std::filesystem::copy_file(kPlugins / "demo.so", dir / "second" / "demo.so");

  const auto catalog = PluginCatalog::scan({dir / "first", dir / "missing", dir / "second"});
  ASSERT_EQ(catalog.plugins().size(), 2u);
  EXPECT_EQ(catalog.plugins()[0]->description().file, dir / "first" / "demo.so");
  EXPECT_EQ(catalog.plugins()[1]->description().name, "tiktok");
  ASSERT_EQ(catalog.rejected().size(), 4u);
  EXPECT_THAT(catalog.rejected()[0].reason,
              HasSubstr("a_demo.so: the plugin in this file is named \"demo\", not \"a_demo\""));
  EXPECT_THAT(catalog.rejected()[1].reason, HasSubstr("newer_abi.so: plugin ABI version " +
                                                      std::to_string(HX_PLUGIN_ABI_VERSION + 1)));
  EXPECT_EQ(catalog.rejected()[2].reason, (dir / "second" / "demo.so").string() + ": shadowed by " +
                                              (dir / "first" / "demo.so").string() +
                                              ", earlier on the plugin path");
  EXPECT_THAT(catalog.rejected()[3].reason,
              HasSubstr((dir / "missing").string() + ": cannot read plugin folder"));
}

}  // namespace
}  // namespace hashtag_exporter
