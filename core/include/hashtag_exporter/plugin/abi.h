/*
 * The boundary between the hashtag_exporter host and a source plugin.
 *
 * Plain C so that it stays stable across compilers and flags. Rules:
 *  - The host reads `hashtag_exporter_plugin_abi_version` before calling anything and rejects a
 *    plugin whose version differs from HX_PLUGIN_ABI_VERSION. A change that breaks existing
 *    plugins bumps the version; tables only grow at the end, guarded by `struct_size`.
 *  - Strings are borrowed (pointer + length, not NUL-terminated) and valid only for the call
 *    that passes them: the receiver copies what it keeps.
 *  - Errors travel as status codes plus text written into a buffer owned by the caller.
 *    No exception crosses the boundary; the C++ SDK (sdk.hpp) catches them inside the plugin.
 *  - A plugin instance is used by one host thread at a time.
 */
#ifndef HASHTAG_EXPORTER_PLUGIN_ABI_H
#define HASHTAG_EXPORTER_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HX_PLUGIN_ABI_VERSION 1u

/* The two symbols every plugin exports. */
#define HX_PLUGIN_ABI_VERSION_SYMBOL "hashtag_exporter_plugin_abi_version"
#define HX_PLUGIN_ENTRY_SYMBOL "hashtag_exporter_plugin"

typedef struct hx_str {
  const char* data;
  size_t size;
} hx_str;

typedef enum hx_status { HX_OK = 0, HX_ERROR = 1 } hx_status;

/* Why a hashtag could not be collected; these become the `reason` label. */
typedef enum hx_reason {
  HX_REASON_TIMEOUT = 1,
  HX_REASON_HTTP_4XX = 2,
  HX_REASON_HTTP_5XX = 3,
  HX_REASON_RATE_LIMITED = 4,
  HX_REASON_BAD_RESPONSE = 5,
  HX_REASON_NOT_FOUND = 6,
  HX_REASON_AUTH = 7,
  HX_REASON_CREDITS = 8
} hx_reason;

typedef enum hx_log_level {
  HX_LOG_DEBUG = 0,
  HX_LOG_INFO = 1,
  HX_LOG_WARN = 2,
  HX_LOG_ERROR = 3
} hx_log_level;

typedef struct hx_http_header {
  hx_str name;
  hx_str value;
} hx_http_header;

typedef struct hx_http_request {
  hx_str method; /* "GET", "POST", ... */
  hx_str url;
  const hx_http_header* headers;
  size_t header_count;
  hx_str body;
} hx_http_request;

/* What went wrong below HTTP; HX_TRANSPORT_OK means `status` holds an HTTP status. */
typedef enum hx_transport_result {
  HX_TRANSPORT_OK = 0,
  HX_TRANSPORT_TIMEOUT = 1,
  HX_TRANSPORT_CONNECT_FAILED = 2,
  HX_TRANSPORT_BODY_TOO_LARGE = 3,
  HX_TRANSPORT_OTHER = 4
} hx_transport_result;

typedef struct hx_http_response {
  hx_transport_result transport;
  long status;
  hx_str body;
  hx_str error; /* transport error text, empty when transport == HX_TRANSPORT_OK */
  uint32_t attempts;
} hx_http_response;

/* Limits of the HTTP client lent to one instance; a zero field keeps the host's default. */
typedef struct hx_http_options {
  uint32_t struct_size;
  uint32_t timeout_ms;          /* whole request, per attempt (default 15000) */
  uint32_t max_in_flight;       /* concurrent requests (default 1) */
  uint32_t requests_per_minute; /* request starts per minute, retries included (default: no limit) */
  uint32_t max_attempts;        /* attempts per request, retries included (default 3) */
  uint64_t max_body_bytes;      /* larger responses fail with HX_TRANSPORT_BODY_TOO_LARGE (4 MiB) */
} hx_http_options;

typedef void (*hx_http_done_fn)(void* user, const hx_http_response* response);

/*
 * Services the host lends to one plugin instance. The HTTP client applies the source's
 * timeout, retries (429, 5xx, network errors; backoff with jitter; Retry-After), rate and
 * in-flight limits and the response size cap. Requests are queued by http_submit and run by
 * http_wait, which returns once every queued request has completed; `done` callbacks run on
 * the thread that called http_wait, one at a time.
 */
typedef struct hx_host {
  uint32_t struct_size;
  void* host_ctx;
  void (*log)(void* host_ctx, hx_log_level level, hx_str message);
  int64_t (*now_unix_seconds)(void* host_ctx);
  hx_status (*http_configure)(void* host_ctx, const hx_http_options* options);
  hx_status (*http_submit)(void* host_ctx, const hx_http_request* request, hx_http_done_fn done,
                           void* user);
  void (*http_wait)(void* host_ctx);
} hx_host;

/* Where a plugin reports the results of one collection. */
typedef struct hx_collect_sink {
  void* sink_ctx;
  void (*sample)(void* sink_ctx, hx_str hashtag, int64_t video_count, int64_t view_count);
  void (*failure)(void* sink_ctx, hx_str hashtag, hx_reason reason, hx_str message);
  void (*credits_remaining)(void* sink_ctx, double credits);
} hx_collect_sink;

/* A configuration error: `key` is the settings key at fault (empty for the whole block). */
typedef struct hx_error {
  char key[128];
  char message[512];
} hx_error;

typedef struct hx_plugin {
  uint32_t abi_version;
  uint32_t struct_size;
  const char* name;    /* static, NUL-terminated */
  const char* version; /* static, NUL-terminated */
  /*
   * Validates `settings_json` (the source's `settings` block as a JSON object) and creates an
   * instance. `host` outlives the instance.
   */
  hx_status (*create)(const hx_host* host, hx_str settings_json, void** instance, hx_error* error);
  /* Collects every hashtag once, reporting exactly one sample or failure per hashtag. */
  void (*collect)(void* instance, const hx_str* hashtags, size_t hashtag_count,
                  const hx_collect_sink* sink);
  void (*destroy)(void* instance);
} hx_plugin;

typedef const hx_plugin* (*hx_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
