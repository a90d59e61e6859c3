#include "http.hpp"

#include <hashtag_exporter/plugin/trim.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace hashtag_exporter::testing {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Called once per header line, including the status line and the blank line after the headers;
// a redirect or a 100 Continue starts a new block, so the status line clears what came before.
std::size_t store_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(user);
  const std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();
  } else if (const auto colon = line.find(':'); colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    headers[name] = hashtag_exporter::sdk::trim(std::string_view(line).substr(colon + 1));
  }
  return size * count;
}

void initialise_curl() {
  static std::once_flag curl_initialised;
  std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CURL* new_handle() {
  initialise_curl();
  CURL* handle = curl_easy_init();
  if (handle == nullptr) throw std::runtime_error("curl_easy_init failed");
  return handle;
}

// Makes `call` with `handle`, whose options are all set afresh; a connection it kept open from
// an earlier call is reused.
HttpReply perform(CURL* handle, const HttpCall& call) {
  const auto& [method, url, body, headers, timeout_ms, ca_file, client_cert_file, client_key_file,
               max_tls_version, basic_auth] = call;
  curl_easy_reset(handle);
  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : headers) {
    raw_headers = curl_slist_append(raw_headers, (name + ": " + value).c_str());
  }
  const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(
      raw_headers, &curl_slist_free_all);

  HttpReply reply;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &store_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reply.headers);
  if (!ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, ca_file.c_str());
  if (!client_cert_file.empty()) {
    curl_easy_setopt(handle, CURLOPT_SSLCERT, client_cert_file.c_str());
    curl_easy_setopt(handle, CURLOPT_SSLKEY, client_key_file.c_str());
  }
  if (max_tls_version == "1.2") {
    curl_easy_setopt(handle, CURLOPT_SSLVERSION,
                     static_cast<long>(CURL_SSLVERSION_TLSv1_2) |
                         static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2));
  } else if (!max_tls_version.empty()) {
    throw std::invalid_argument("max_tls_version: only \"1.2\" is supported");
  }
  if (basic_auth) {
    curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(handle, CURLOPT_USERNAME, basic_auth->first.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, basic_auth->second.c_str());
  }
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    reply.error = error[0] != '\0' ? error : curl_easy_strerror(code);
    return reply;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace

HttpReply http_request(const std::string& method, const std::string& url, const std::string& body,
                       const std::map<std::string, std::string>& headers, long timeout_ms) {
  HttpCall call;
  call.method = method;
  call.url = url;
  call.body = body;
  call.headers = headers;
  call.timeout_ms = timeout_ms;
  return http_request(call);
}

HttpReply http_request(const HttpCall& call) {
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(new_handle(),
                                                                   &curl_easy_cleanup);
  return perform(handle.get(), call);
}

HttpReply http_get(const std::string& url, long timeout_ms) {
  return http_request("GET", url, {}, {}, timeout_ms);
}

HttpSession::HttpSession() : curl_(new_handle()) {}

HttpSession::~HttpSession() { curl_easy_cleanup(curl_); }

HttpReply HttpSession::request(const HttpCall& call) { return perform(curl_, call); }

bool HttpSession::last_reused_connection() const {
  long new_connections = -1;
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &new_connections);
  return new_connections == 0;
}

long HttpSession::last_local_port() const {
  long port = 0;
  curl_easy_getinfo(curl_, CURLINFO_LOCAL_PORT, &port);
  return port;
}

}  // namespace hashtag_exporter::testing
