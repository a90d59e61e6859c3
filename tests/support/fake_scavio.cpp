#include "fake_scavio.hpp"

#include "http.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string_view>

namespace hashtag_exporter::testing {
namespace {

constexpr std::string_view kListening = "LISTENING ";
constexpr int kStartTimeoutMs = 15'000;

std::string percent_encode(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Reads the child's first stdout line, giving up when it exits or takes too long to start.
std::string read_first_line(int fd) {
  std::string line;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("fake scavio did not start in time");
    pollfd readable{fd, POLLIN, 0};
    const int ready = poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[256];
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) throw std::runtime_error("fake scavio exited before listening");
    line.append(buffer, static_cast<std::size_t>(got));
  }
  return line.substr(0, line.find('\n'));
}

void expect_ok(const HttpReply& reply, const std::string& what) {
  if (reply.status != 200) {
    throw std::runtime_error("fake scavio control call " + what + " failed: " +
                             std::to_string(reply.status) + " " + reply.body + reply.error);
  }
}

}  // namespace

FakeScavio::FakeScavio(std::vector<std::string> extra_args) {
  std::vector<std::string> args{HX_TEST_PYTHON, HX_TEST_FAKE_SCAVIO, "--port", "0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) {
    close(out[0]);
    close(out[1]);
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    // A crashed test must not leave servers behind.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(out[1], STDOUT_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  try {
    line = read_first_line(out[0]);
  } catch (...) {
    close(out[0]);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    throw;
  }
  close(out[0]);
  if (!line.starts_with(kListening)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    throw std::runtime_error("fake scavio printed \"" + line + "\" instead of LISTENING <port>");
  }
  port_ = std::stoi(line.substr(kListening.size()));
}

FakeScavio::~FakeScavio() {
  kill(pid_, SIGTERM);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

std::string FakeScavio::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeScavio::set_mode(const std::string& hashtag, const std::string& json_body) {
  expect_ok(http_request("PUT", url() + "/_control/hashtags/" + percent_encode(hashtag), json_body,
                         {{"Content-Type", "application/json"}}),
            "set_mode " + hashtag);
}

std::string FakeScavio::requests_json() {
  const auto reply = http_get(url() + "/_control/requests");
  expect_ok(reply, "requests");
  return reply.body;
}

int FakeScavio::request_count(const std::string& hashtag) {
  const std::string all = requests_json();
  const std::string needle = "\"hashtag\": " + json_string(hashtag);
  int count = 0;
  for (auto at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1)) {
    const char after = all[at + needle.size()];
    count += after == ',' || after == '}';
  }
  return count;
}

void FakeScavio::reset() { expect_ok(http_request("POST", url() + "/_control/reset"), "reset"); }

}  // namespace hashtag_exporter::testing
