#pragma once

// Raw TCP clients for what libcurl will not send: malformed requests, slow clients that trickle
// a request a byte at a time, and clients that keep a connection open and idle.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace hashtag_exporter::testing {

// A connected socket to 127.0.0.1:`port`, closed when it goes away.
class RawConnection {
 public:
  enum class Received { nothing, data, closed };

  // A send that the server does not take within `send_timeout` fails.
  explicit RawConnection(int port, std::chrono::milliseconds send_timeout = std::chrono::seconds(5))
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      if (fd_ >= 0) close(fd_);
      throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    timeval limit{static_cast<time_t>(send_timeout.count() / 1000),
                  static_cast<suseconds_t>(send_timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false once the server has closed or reset the connection.
  bool send_all(const std::string& bytes) const {
    for (std::size_t sent = 0; sent < bytes.size();) {
      const auto count = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (count <= 0) return false;
      sent += static_cast<std::size_t>(count);
    }
    return true;
  }

  // Waits up to `timeout` for something from the server and appends it to `answer`.
  Received receive(std::string& answer, std::chrono::milliseconds timeout) const {
    pollfd readable{fd_, POLLIN, 0};
    if (poll(&readable, 1, static_cast<int>(timeout.count())) <= 0) return Received::nothing;
    char buffer[4096];
    const auto count = recv(fd_, buffer, sizeof buffer, 0);
    if (count <= 0) return Received::closed;
    answer.append(buffer, static_cast<std::size_t>(count));
    return Received::data;
  }

 private:
  int fd_;
};

// Sends `request` as raw bytes on a new connection to 127.0.0.1:`port` and returns what comes
// back until the server closes the connection or `timeout` passes. A server that closes while
// the request is still being sent is fine: what it answered is still returned.
inline std::string raw_exchange(int port, const std::string& request,
                                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const RawConnection connection(port);
  connection.send_all(request);
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (connection.receive(answer, left) == RawConnection::Received::closed) break;
  }
  return answer;
}

// Reads one whole answer from `connection`, its head and a body of its Content-Length, leaving
// the connection open for the next request; what came if the server closed the connection or
// `timeout` passed first.
inline std::string receive_answer(const RawConnection& connection,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string answer;
  const auto complete = [&answer] {
    const auto head_end = answer.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    const std::string length_header = "\r\nContent-Length: ";
    const auto length = answer.find(length_header);
    if (length == std::string::npos || length > head_end) return true;
    return answer.size() >= head_end + 4 + std::stoul(answer.substr(length + length_header.size()));
  };
  while (!complete() && std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (connection.receive(answer, left) == RawConnection::Received::closed) break;
  }
  return answer;
}

// How long until the server closes `connection`, which is sent nothing meanwhile; nothing if it
// is still open after `give_up`.
inline std::optional<std::chrono::milliseconds> time_until_closed(
    const RawConnection& connection, std::chrono::milliseconds give_up) {
  const auto start = std::chrono::steady_clock::now();
  std::string unexpected;
  while (std::chrono::steady_clock::now() - start < give_up) {
    const auto left = give_up - std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start);
    if (connection.receive(unexpected, left) == RawConnection::Received::closed) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
  }
  return std::nullopt;
}

struct Trickled {
  std::string answer;                // what the server sent back
  bool closed = false;               // whether the server closed the connection
  std::chrono::milliseconds lasted;  // until the close (or until giving up)
};

// A slow client on `connection`, which has sent what it wanted to send at once: one byte of
// `drip` (over and over) a second, reading whatever the server answers, until the server
// closes the connection or `give_up` has passed.
inline Trickled trickle(const RawConnection& connection, const std::string& drip,
                        std::chrono::seconds give_up) {
  constexpr std::chrono::seconds kDripInterval{1};
  const auto start = std::chrono::steady_clock::now();
  Trickled result;
  bool open = true;
  for (std::size_t next = 0; open && std::chrono::steady_clock::now() - start < give_up; ++next) {
    open = connection.receive(result.answer, kDripInterval) != RawConnection::Received::closed &&
           connection.send_all(drip.substr(next % drip.size(), 1));
  }
  // A send can fail before the answer the server wrote has been read.
  while (!open && connection.receive(result.answer, std::chrono::milliseconds(0)) ==
                      RawConnection::Received::data) {
  }
  result.closed = !open;
  result.lasted = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return result;
}

}  // namespace hashtag_exporter::testing
