// The `exec` source: runs a program (no shell) and reads its results as JSON lines, so that a
// source can be written in any language and cannot take the exporter down. Settings: README.md.
#include <hashtag_exporter/plugin/reasons.hpp>
#include <hashtag_exporter/plugin/sdk.hpp>
#include <hashtag_exporter/plugin/sdk_http.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace hashtag_exporter::exec_source {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStderrLines = 100;  // per run; the rest are counted, not logged

// How often a running program's wait looks whether the host cancelled the collection: abi.h asks
// for at least every 100 ms.
constexpr auto kCancelPollInterval = 50ms;

struct RunResult {
  std::string spawn_error;  // the program could not be started
  bool timed_out = false;
  bool cancelled = false;  // the host cancelled the collection; the program was killed
  bool output_too_large = false;
  int wait_status = 0;
  std::string output;
  std::string last_stderr_line;
};

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Runs argv with `input` on standard input until it exits, `timeout` passes, the host cancels
// (`cancelled` turns true) or it writes more than `max_output` bytes; in the last three cases its
// whole process group is killed. The program is always reaped before this returns. Standard
// error goes to `on_stderr`, line by line. Only the three standard descriptors are inherited.
RunResult run(const std::vector<std::string>& argv, const std::string& input,
              std::chrono::milliseconds timeout, std::size_t max_output,
              const std::function<void(std::string_view)>& on_stderr,
              const std::function<bool()>& cancelled) {
  RunResult result;
  int in[2] = {-1, -1};  // a socket, so that writing to a program that is gone raises no SIGPIPE
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
      pipe2(err, O_CLOEXEC) != 0) {
    result.spawn_error = std::string("cannot create pipes: ") + std::strerror(errno);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      if (fd >= 0) close(fd);
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[1], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigmask(&attributes, &mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM})
    sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);  // its own group, killed as a whole on timeout
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(in[1]);
  close(out[1]);
  close(err[1]);
  if (spawned != 0) {
    result.spawn_error = "cannot start " + argv[0] + ": " + std::strerror(spawned);
    close(in[0]);
    close(out[0]);
    close(err[0]);
    return result;
  }

  const auto deadline = Clock::now() + timeout;
  int stdin_fd = in[0];
  int stdout_fd = out[0];
  int stderr_fd = err[0];
  set_nonblocking(stdin_fd);
  set_nonblocking(stdout_fd);
  set_nonblocking(stderr_fd);
  std::size_t written = 0;
  std::string stderr_buffer;
  std::size_t stderr_lines = 0;
  const auto flush_stderr = [&](bool all) {
    std::size_t start = 0;
    for (auto nl = stderr_buffer.find('\n'); nl != std::string::npos;
         nl = stderr_buffer.find('\n', start)) {
      std::string_view line(stderr_buffer.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      result.last_stderr_line = sdk::quote_text(line, 500);
      if (++stderr_lines <= kMaxStderrLines) on_stderr(result.last_stderr_line);
      start = nl + 1;
    }
    stderr_buffer.erase(0, start);
    if (all && !stderr_buffer.empty()) {
      result.last_stderr_line = sdk::quote_text(stderr_buffer, 500);
      if (++stderr_lines <= kMaxStderrLines) on_stderr(result.last_stderr_line);
      stderr_buffer.clear();
    }
    if (stderr_buffer.size() > 4096) {  // a line without end: log what we have
      result.last_stderr_line = sdk::quote_text(stderr_buffer, 500);
      if (++stderr_lines <= kMaxStderrLines) on_stderr(result.last_stderr_line);
      stderr_buffer.clear();
    }
  };
  const auto close_fd = [](int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  };
  if (input.empty()) close_fd(stdin_fd);

  bool kill_group = false;
  while (stdout_fd >= 0 || stderr_fd >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = kill_group = true;
      break;
    }
    if (cancelled()) {
      result.cancelled = kill_group = true;
      break;
    }
    pollfd fds[3] = {{stdin_fd, POLLOUT, 0}, {stdout_fd, POLLIN, 0}, {stderr_fd, POLLIN, 0}};
    const int ready = poll(
        fds, 3, static_cast<int>(std::min<long long>(left.count(), kCancelPollInterval.count())));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (stdin_fd >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const auto n = send(stdin_fd, input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size())
        close_fd(stdin_fd);
    }
    char buffer[8192];
    if (stdout_fd >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      const auto n = read(stdout_fd, buffer, sizeof buffer);
      if (n > 0)
        result.output.append(buffer, static_cast<std::size_t>(n));
      else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        close_fd(stdout_fd);
      if (result.output.size() > max_output) {
        result.output_too_large = kill_group = true;
        break;
      }
    }
    if (stderr_fd >= 0 && (fds[2].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      const auto n = read(stderr_fd, buffer, sizeof buffer);
      if (n > 0) {
        stderr_buffer.append(buffer, static_cast<std::size_t>(n));
        flush_stderr(false);
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close_fd(stderr_fd);
      }
    }
  }
  close_fd(stdin_fd);
  close_fd(stdout_fd);
  close_fd(stderr_fd);
  flush_stderr(true);
  if (stderr_lines > kMaxStderrLines) {
    on_stderr(std::to_string(stderr_lines - kMaxStderrLines) + " more stderr lines not logged");
  }

  // Both outputs are closed; the program itself may still be running (or have closed them).
  while (!kill_group) {
    const pid_t done = waitpid(pid, &result.wait_status, WNOHANG);
    if (done == pid) return result;
    if (done < 0 && errno != EINTR) return result;
    if (Clock::now() >= deadline) {
      result.timed_out = kill_group = true;
      break;
    }
    if (cancelled()) {
      result.cancelled = kill_group = true;
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  while (waitpid(pid, &result.wait_status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

class ExecSource : public sdk::Source {
 public:
  ExecSource(const sdk::Host& host, sdk::Settings& settings) : host_(host) {
    const auto* command = settings.raw("command");
    if (command == nullptr)
      throw sdk::SettingsError(
          "command",
          "required: the program and its arguments, e.g. [/usr/local/bin/counts, --json]");
    if (!command->is_array() || command->empty())
      throw sdk::SettingsError("command", "expected a non-empty list of strings (no shell)");
    for (const auto& arg : *command) {
      if (!arg.is_string() && !arg.is_number())
        throw sdk::SettingsError("command", "expected a list of strings");
      command_.push_back(arg.is_string() ? arg.get<std::string>() : arg.dump());
    }
    if (command_[0].empty()) throw sdk::SettingsError("command", "the program name is empty");
    if (command_[0].find('/') != std::string::npos && access(command_[0].c_str(), X_OK) != 0) {
      throw sdk::SettingsError("command", command_[0] + " is not an executable file");
    }
    const auto mode = settings.string("mode", "per_collection");
    if (mode != "per_collection" && mode != "per_hashtag")
      throw sdk::SettingsError("mode", "expected per_collection or per_hashtag");
    per_hashtag_ = mode == "per_hashtag";
    if (!per_hashtag_) {
      for (const auto& arg : command_) {
        if (arg.find("{hashtag}") != std::string::npos)
          throw sdk::SettingsError("command", "{hashtag} is replaced only with mode: per_hashtag");
      }
    }
    timeout_ = settings.duration("timeout", 30s);
    if (timeout_ > 1h) throw sdk::SettingsError("timeout", "expected at most 1h");
    max_output_ = static_cast<std::size_t>(
        settings.integer("max_output_bytes", 1 << 20, 1024, std::int64_t{1} << 30));
  }

  void collect(std::span<const std::string> hashtags, sdk::Results& results) override {
    if (per_hashtag_) {
      for (const auto& hashtag : hashtags) {
        // After a cancel, run_once starts nothing and fails the hashtag as cancelled.
        std::vector<std::string> argv;
        for (const auto& arg : command_) {
          argv.push_back(sdk::substitute_hashtag(
              arg, hashtag, [](std::string_view s) { return std::string(s); }));
        }
        run_once(argv, std::span<const std::string>(&hashtag, 1), results);
      }
    } else {
      run_once(command_, hashtags, results);
    }
  }

 private:
  void run_once(const std::vector<std::string>& argv, std::span<const std::string> hashtags,
                sdk::Results& results) {
    std::string input;
    for (const auto& tag : hashtags) input += tag + "\n";
    const std::string program = argv[0];
    RunResult result;
    if (host_.cancelled()) {
      result.cancelled = true;
    } else {
      result = run(
          argv, input, timeout_, max_output_,
          [&](std::string_view line) {
            host_.log(HX_LOG_WARN, "exec " + program + " stderr: " + std::string(line));
          },
          [&] { return host_.cancelled(); });
    }

    // The hashtags as the program spelt them: the host matches "#AITools" to "aitools", warns
    // about hashtags nobody asked for and keeps the first answer for each.
    std::set<std::string> reported;
    std::size_t bad_lines = 0;
    std::string first_bad;
    const auto bad = [&](std::string_view line, const std::string& why) {
      if (bad_lines++ == 0) first_bad = why + ": " + sdk::quote_text(line, 100);
    };

    std::size_t start = 0;
    const std::string& out = result.output;
    while (start < out.size()) {
      auto end = out.find('\n', start);
      if (end == std::string::npos) end = out.size();
      std::string_view line(out.data() + start, end - start);
      start = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (json.is_discarded() || !json.is_object()) {
        bad(line, "not a JSON object");
        continue;
      }
      std::string tag;
      if (json.contains("hashtag") && json.at("hashtag").is_string()) {
        tag = json.at("hashtag").get<std::string>();
      } else if (hashtags.size() == 1 && !json.contains("hashtag")) {
        tag = hashtags[0];
      } else {
        bad(line, "no \"hashtag\" string");
        continue;
      }
      if (reported.contains(tag)) continue;  // the first answer counts
      if (json.contains("error")) {
        const auto& error = json.at("error");
        const auto reason =
            error.is_string() ? sdk::reason_named(error.get<std::string>()) : std::nullopt;
        const auto message = json.value("message", nlohmann::json("")).is_string()
                                 ? json.value("message", std::string())
                                 : std::string();
        results.failure(tag, reason.value_or(HX_REASON_BAD_RESPONSE),
                        "the program reported " + sdk::quote_text(error.dump(), 40) +
                            (message.empty() ? "" : ": " + sdk::quote_text(message)));
        reported.insert(tag);
        continue;
      }
      const auto videos =
          json.contains("video_count") ? sdk::parse_count(json.at("video_count")) : std::nullopt;
      const auto views =
          json.contains("view_count") ? sdk::parse_count(json.at("view_count")) : std::nullopt;
      if (!videos || !views) {
        bad(line, "video_count and view_count must be non-negative integers");
        continue;
      }
      results.sample(tag, *videos, *views);
      reported.insert(tag);
    }

    // Every hashtag without an answer fails, with the most telling reason.
    hx_reason reason = HX_REASON_BAD_RESPONSE;
    std::string why;
    if (!result.spawn_error.empty()) {
      why = result.spawn_error;
    } else if (result.cancelled) {
      // The exporter stopped waiting (shutdown, reload), as a timeout of its own.
      reason = HX_REASON_TIMEOUT;
      why = "cancelled: the exporter is shutting down or reloading; " + program + " killed";
    } else if (result.timed_out) {
      reason = HX_REASON_TIMEOUT;
      why = program + " did not finish within " + std::to_string(timeout_.count()) + "ms; killed";
    } else if (result.output_too_large) {
      why = program + " wrote more than max_output_bytes (" + std::to_string(max_output_) +
            "); killed";
    } else if (WIFEXITED(result.wait_status) && WEXITSTATUS(result.wait_status) != 0) {
      why = program + " exited with status " + std::to_string(WEXITSTATUS(result.wait_status));
    } else if (WIFSIGNALED(result.wait_status)) {
      why = program + " was killed by signal " + std::to_string(WTERMSIG(result.wait_status));
    } else {
      why = program + " printed no result for this hashtag";
    }
    if (!result.last_stderr_line.empty() && result.spawn_error.empty()) {
      why += " (last stderr line: " + sdk::quote_text(result.last_stderr_line, 120) + ")";
    }
    if (bad_lines > 0) {
      why += "; " + std::to_string(bad_lines) + " output line(s) ignored, first " + first_bad;
      host_.log(HX_LOG_WARN, "exec " + program + ": " + std::to_string(bad_lines) +
                                 " output line(s) ignored, first " + first_bad);
    }
    // A hashtag answered under another spelling already has its result: the host ignores this.
    for (const auto& tag : hashtags) {
      if (!reported.contains(tag)) results.failure(tag, reason, why);
    }
  }

  sdk::Host host_;
  std::vector<std::string> command_;
  bool per_hashtag_ = false;
  std::chrono::milliseconds timeout_{30s};
  std::size_t max_output_ = 1 << 20;
};

}  // namespace
}  // namespace hashtag_exporter::exec_source

HASHTAG_EXPORTER_PLUGIN(hashtag_exporter::exec_source::ExecSource, "exec", "1.0.0")
