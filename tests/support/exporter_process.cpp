#include "exporter_process.hpp"

#include "http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace hashtag_exporter::testing {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& environment) {
  for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
  std::vector<char*> raw;
  for (const auto& arg : argv) raw.push_back(const_cast<char*>(arg.c_str()));
  raw.push_back(nullptr);
  execv(raw[0], raw.data());
  _exit(127);
}

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& environment) {
  char out_template[] = "/tmp/hx_out_XXXXXX";
  char err_template[] = "/tmp/hx_err_XXXXXX";
  const int out = mkstemp(out_template);
  const int err = mkstemp(err_template);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    exec_child(argv, environment);
  }
  close(out);
  close(err);
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result{exit_status(status), slurp(out_template), slurp(err_template)};
  unlink(out_template);
  unlink(err_template);
  return result;
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind a port");
  }
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

ExporterProcess::ExporterProcess(const std::string& binary, std::vector<std::string> args,
                                 std::filesystem::path log,
                                 std::map<std::string, std::string> environment)
    : log_(std::move(log)) {
  args.insert(args.begin(), binary);
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDERR_FILENO);
    dup2(fd, STDOUT_FILENO);
    exec_child(args, environment);
  }
}

ExporterProcess::~ExporterProcess() {
  if (running()) stop();
}

bool ExporterProcess::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) return true;
  exit_status_ = exit_status(status);
  pid_ = -1;
  return false;
}

bool ExporterProcess::wait_until_ok(const std::string& url, int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    if (http_get(url, 1000).status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ExporterProcess::stop(int signal) {
  if (!running()) return exit_status_;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return exit_status(status);
}

void ExporterProcess::signal(int signal) const {
  if (running()) kill(pid_, signal);
}

std::string ExporterProcess::log_text() const { return slurp(log_); }

std::optional<double> sample_value(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace hashtag_exporter::testing
