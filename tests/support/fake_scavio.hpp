#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace hashtag_exporter::testing {

// The fake Scavio API (tests/fake_scavio/fake_scavio.py) in a child process on 127.0.0.1, with
// its control API wrapped. Its API key is "test-key" unless `extra_args` says otherwise.
class FakeScavio {
 public:
  // Starts the server and waits until it listens; throws std::runtime_error if it does not.
  explicit FakeScavio(std::vector<std::string> extra_args = {});
  ~FakeScavio();
  FakeScavio(const FakeScavio&) = delete;
  FakeScavio& operator=(const FakeScavio&) = delete;

  int port() const { return port_; }
  std::string url() const;  // http://127.0.0.1:PORT

  // Sets how the server answers for `hashtag`: `json_body` is a control object such as
  // {"mode": "status", "status": 500, "times": 1}; see tests/fake_scavio/README.md.
  void set_mode(const std::string& hashtag, const std::string& json_body);
  // Every API request received so far: [{"hashtag": .., "time": .., "auth_ok": ..}, ...].
  std::string requests_json();
  int request_count(const std::string& hashtag);
  // Forgets the modes, the requests and the credits spent.
  void reset();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace hashtag_exporter::testing
