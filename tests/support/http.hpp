#pragma once

#include <map>
#include <string>

namespace hashtag_exporter::testing {

struct HttpReply {
  long status = 0;  // 0 when no HTTP answer came (connection refused, timeout)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value of a repeat
  std::string error;                           // libcurl's text when status is 0
};

// Blocking HTTP calls for tests, one connection each; they never throw on HTTP errors.
HttpReply http_request(const std::string& method, const std::string& url,
                       const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {},
                       long timeout_ms = 5000);
HttpReply http_get(const std::string& url, long timeout_ms = 5000);

}  // namespace hashtag_exporter::testing
