// hashtag_exporter: the command line (README, "Command line").
#include "build_info.hpp"
#include "commands.hpp"
#include "logging.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>

namespace {

namespace app = hashtag_exporter::app;

// Numbers are checked on the flag's text, so that the message says what was given and what is
// expected: CLI11's own checks print a floating-point range or "could not convert".
CLI::Validator whole_number(std::uint32_t minimum) {
  return {[minimum](std::string& text) -> std::string {
            std::uint32_t value = 0;
            const auto* const end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (stop != end || (error != std::errc() && error != std::errc::result_out_of_range)) {
              return "expected a whole number, got \"" + text + "\"";
            }
            if (error == std::errc::result_out_of_range) {
              return "must be at most " +
                     std::to_string(std::numeric_limits<std::uint32_t>::max()) + ", got " + text;
            }
            if (value < minimum) {
              return "must be at least " + std::to_string(minimum) + ", got " + text;
            }
            return "";
          },
          ""};
}

// NaN would make every comparison false and infinity every hashtag trending or none.
CLI::Validator finite_percent() {
  return {[](std::string& text) -> std::string {
            double value = 0;
            const auto* const end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (error == std::errc() && stop == end && std::isfinite(value)) return "";
            return "expected a finite number of percent such as 5, got \"" + text + "\"";
          },
          ""};
}

// A usage error ends the process with status 1 and one line on standard error (README, "Exit
// codes"), as Prometheus' own tools do, rather than with CLI11's own exit codes.
int usage_error(const std::string& message) {
  std::cerr << "hashtag_exporter: " << message << " (see --help)\n";
  return 1;
}

void add_common_flags(CLI::App& cli, app::CommonOptions& options) {
  cli.add_option("--config.file", options.config_file, "Configuration file")->capture_default_str();
  cli.add_option("--web.listen-address", options.listen_addresses,
                 "Addresses to listen on for the web interface and telemetry (repeatable)")
      ->capture_default_str();
  cli.add_option("--web.telemetry-path", options.telemetry_path,
                 "Path under which to expose metrics")
      ->capture_default_str();
  cli.add_option("--web.config.file", options.web_config_file,
                 "Path to a web configuration file (TLS and basic auth, exporter-toolkit format)");
  cli.add_flag("--web.enable-lifecycle", options.web_enable_lifecycle,
               "Enable config reload via HTTP request (POST or PUT /-/reload); SIGHUP always "
               "reloads");
  cli.add_option("--log.level", options.log_level, "Only log messages with this severity or above")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  cli.add_option("--log.format", options.log_format, "Output format of log messages")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
  cli.add_option("--shard.count", options.shard_count,
                 "Number of exporters sharing the hashtags (each owns those that hash to it)")
      ->check(whole_number(1))
      ->capture_default_str();
  cli.add_option("--shard.index", options.shard_index,
                 "Which of the shards this exporter is, from 0 (default: 0)")
      ->check(whole_number(0));
  cli.add_flag("--shard.index-from-hostname", options.shard_index_from_hostname,
               "Take the shard index from the trailing -N of the hostname (StatefulSet ordinal)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Prometheus exporter for the growth of social media hashtags", "hashtag_exporter"};
  cli.set_version_flag("--version", std::string("hashtag_exporter, version ") +
                                        hashtag_exporter::build::kVersion +
                                        " (revision: " + hashtag_exporter::build::kRevision + ")");
  app::CommonOptions common;
  add_common_flags(cli, common);
  bool config_check = false;
  cli.add_flag("--config.check", config_check, "Validate the config file and plugins, then exit");

  auto* serve =
      cli.add_subcommand("serve", "Serve metrics and collect every source on its interval");
  auto* collect = cli.add_subcommand("collect", "Collect every source, store and print the report");
  bool once = false;
  collect->add_flag("--once", once, "Collect once and exit (the only mode)")->required();
  app::ReportCommandOptions report_options;
  auto* report = cli.add_subcommand("report", "Print the latest counts and growth from history");
  report->add_option("--window", report_options.window, "Growth window")->capture_default_str();
  report
      ->add_option("--threshold", report_options.threshold_percent,
                   "Trending when video growth is above this percentage (default: each "
                   "hashtag's alert threshold from the config)")
      ->check(finite_percent());
  report->add_option("--format", report_options.format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  app::HistoryCommandOptions history_options;
  auto* history = cli.add_subcommand("history", "Print the stored snapshots of one hashtag");
  history->add_option("--hashtag", history_options.hashtag, "Hashtag")->required();
  history->add_option("--source", history_options.source, "Only this source");
  history->add_option("--format", history_options.format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  app::ImportCommandOptions import_options;
  auto* import =
      cli.add_subcommand("import", "Import snapshots from a CSV or tutorial SQLite file");
  import->add_option("file", import_options.file, "File to import")
      ->required()
      ->check(CLI::ExistingFile);
  import->add_option("--source", import_options.source, "Source of rows that name none")
      ->capture_default_str();
  auto* plugins = cli.add_subcommand("plugins", "List the plugins found on the plugin path");
  cli.require_subcommand(0, 1);
  for (auto* command : {serve, collect, report, history, import, plugins}) {
    add_common_flags(*command, common);
  }

  try {
    cli.parse(argc, argv);
    app::check_shard_flags(common);
  } catch (const CLI::ParseError& e) {
    // --help and --version come as "errors" whose exit code is 0.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return cli.exit(e);
    return usage_error(e.what());
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  app::setup_logging(common.log_level, common.log_format);

  if (config_check) return app::run_config_check(common);
  if (*collect) return app::run_collect_once(common, report_options);
  if (*report) return app::run_report(common, report_options);
  if (*history) return app::run_history(common, history_options);
  if (*import) return app::run_import(common, import_options);
  if (*plugins) return app::run_plugins(common);
  return app::run_serve(common);
}
