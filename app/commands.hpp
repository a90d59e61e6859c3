#pragma once

#include <hashtag_exporter/shard.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hashtag_exporter::app {

// Flags shared by every subcommand (README, "Command line").
struct CommonOptions {
  std::filesystem::path config_file = "hashtag_exporter.yml";
  std::vector<std::string> listen_addresses{":19929"};
  std::string telemetry_path = "/metrics";
  std::string web_config_file;
  bool web_enable_lifecycle = false;  // POST and PUT /-/reload (SIGHUP always reloads)
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::optional<std::uint32_t> shard_index;  // default 0, unless taken from the hostname
  std::uint32_t shard_count = 1;
  bool shard_index_from_hostname = false;
};

struct ReportCommandOptions {
  std::string window = "1d";
  std::optional<double> threshold_percent;  // default: each hashtag's alert threshold
  std::string format = "table";             // table, csv or json (checked by the CLI)
};

struct HistoryCommandOptions {
  std::string hashtag;
  std::optional<std::string> source;
  std::string format = "table";
};

struct ImportCommandOptions {
  std::filesystem::path file;
  std::string source = "tiktok";
};

// Each returns the process exit code.
int run_serve(const CommonOptions& options);
int run_collect_once(const CommonOptions& options, const ReportCommandOptions& report);
int run_report(const CommonOptions& options, const ReportCommandOptions& report);
int run_history(const CommonOptions& options, const HistoryCommandOptions& history);
int run_import(const CommonOptions& options, const ImportCommandOptions& import);
int run_plugins(const CommonOptions& options);
int run_config_check(const CommonOptions& options);

// Rejects shard flags that no hostname can make right (an index beyond the count, or an index
// both given and taken from the hostname); throws std::invalid_argument naming the flags.
void check_shard_flags(const CommonOptions& options);

// The shard the flags select; throws std::invalid_argument for an impossible one.
Shard selected_shard(const CommonOptions& options);

// Where plugins are looked for when the config sets no plugin_path: the existing ones of the
// plugins folder beside the binary (the build tree) and the installed plugin folder.
std::vector<std::filesystem::path> default_plugin_path();

}  // namespace hashtag_exporter::app
