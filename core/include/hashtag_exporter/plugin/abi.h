/*
 * The boundary between the hashtag_exporter host and a source plugin.
 *
 * Plain C so that it stays stable across compilers and flags.
 *
 * Evolution: exact version only. The host reads `hashtag_exporter_plugin_abi_version` before
 * calling anything and rejects a plugin whose version is not exactly HX_PLUGIN_ABI_VERSION,
 * older or newer. Any change to this file that a built plugin could notice (a struct, a function
 * table, a constant, a meaning) bumps the version; there are no optional or size-guarded fields.
 *
 * Layout: fixed-width integer types only (enumerations cross as uint32_t, statuses as int32_t),
 * so that the layout is the same whatever the compiler; the static_asserts at the end pin it for
 * x86_64 and the other LP64 targets.
 *
 * Lifetimes (who may keep what, and for how long):
 *  - `hx_host` (and its host_ctx) lives as long as the instance created with it: the plugin may
 *    keep the pointer until `destroy` returns.
 *  - Everything else handed to a function is valid only during that call: every `hx_str`, the
 *    hashtag array, `hx_collect_sink`, `hx_http_request` and its headers (the host copies them
 *    before http_submit returns), `hx_http_options`, `hx_http_response` (during `done` only) and
 *    `hx_error`. The receiver copies what it keeps.
 *  - The `hx_plugin` table and its `name` and `version` are static: they live as long as the
 *    library is loaded, which the host guarantees while any instance exists.
 *  - Strings are borrowed (pointer + length, not NUL-terminated).
 *
 * Errors travel as status codes plus text written into a buffer owned by the caller. No
 * exception crosses the boundary; the C++ SDK (sdk.hpp) catches them inside the plugin.
 *
 * Threads: an instance is used by one host thread at a time, except `cancelled`, which turns
 * true when another thread cancels the collection (on shutdown or reload).
 */
#ifndef HASHTAG_EXPORTER_PLUGIN_ABI_H
#define HASHTAG_EXPORTER_PLUGIN_ABI_H

#include <stddef.h> /* offsetof, for the layout checks below */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HX_PLUGIN_ABI_VERSION 2u

/* The two symbols every plugin exports. */
#define HX_PLUGIN_ABI_VERSION_SYMBOL "hashtag_exporter_plugin_abi_version"
#define HX_PLUGIN_ENTRY_SYMBOL "hashtag_exporter_plugin"

typedef struct hx_str {
  const char* data;
  uint64_t size;
} hx_str;

/* Crosses the boundary as int32_t. */
typedef int32_t hx_status;
enum { HX_OK = 0, HX_ERROR = 1 };

/*
 * Why a hashtag could not be collected: the one table of failure reasons, X(constant, code,
 * `reason` label), in the order the host exports them. A code never changes meaning; the host,
 * the SDK and the plugins all derive their lists from this one.
 */
#define HX_REASONS(X)                          \
  X(HX_REASON_TIMEOUT, 1, "timeout")           \
  X(HX_REASON_HTTP_4XX, 2, "http_4xx")         \
  X(HX_REASON_HTTP_5XX, 3, "http_5xx")         \
  X(HX_REASON_RATE_LIMITED, 4, "rate_limited") \
  X(HX_REASON_BAD_RESPONSE, 5, "bad_response") \
  X(HX_REASON_NOT_FOUND, 6, "not_found")       \
  X(HX_REASON_AUTH, 7, "auth")                 \
  X(HX_REASON_CREDITS, 8, "credits")           \
  X(HX_REASON_UNREACHABLE, 9, "unreachable")

#define HX_REASON_ENUMERATOR(constant, code, label) constant = code,
/* Crosses the boundary as uint32_t. */
typedef enum hx_reason { HX_REASONS(HX_REASON_ENUMERATOR) } hx_reason;
#undef HX_REASON_ENUMERATOR

/* Crosses the boundary as uint32_t. */
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
  uint64_t header_count;
  hx_str body;
} hx_http_request;

/* What went wrong below HTTP; HX_TRANSPORT_OK means `status` holds an HTTP status. Crosses the
 * boundary as uint32_t. */
typedef enum hx_transport_result {
  HX_TRANSPORT_OK = 0,
  HX_TRANSPORT_TIMEOUT = 1,
  /* The server could not be reached: DNS failure, connection refused or reset, closed without
   * an answer, TLS handshake failed. */
  HX_TRANSPORT_UNREACHABLE = 2,
  HX_TRANSPORT_BODY_TOO_LARGE = 3,
  HX_TRANSPORT_OTHER = 4,
  /* The host gave up on the request: the collection was cancelled (shutdown, reload). */
  HX_TRANSPORT_CANCELLED = 5
} hx_transport_result;

typedef struct hx_http_response {
  uint32_t transport; /* an hx_transport_result */
  int32_t status;     /* the HTTP status when transport == HX_TRANSPORT_OK, else 0 */
  hx_str body;
  hx_str error; /* transport error text, empty when transport == HX_TRANSPORT_OK */
  uint32_t attempts;
  uint32_t reserved; /* zero; makes the padding explicit */
} hx_http_response;

/* Limits of the HTTP client lent to one instance; a zero field keeps the host's default. */
typedef struct hx_http_options {
  uint32_t timeout_ms;    /* whole request, per attempt (default 15000) */
  uint32_t max_in_flight; /* concurrent requests (default 1) */
  uint32_t
      requests_per_minute; /* request starts per minute, retries included (default: no limit) */
  uint32_t max_attempts;   /* attempts per request, retries included (default 3) */
  uint64_t max_body_bytes; /* larger responses fail with HX_TRANSPORT_BODY_TOO_LARGE (4 MiB) */
} hx_http_options;

typedef void (*hx_http_done_fn)(void* user, const hx_http_response* response);

/*
 * Services the host lends to one plugin instance; lives as long as the instance. The HTTP
 * client applies the source's timeout, retries (429, 5xx, network errors; backoff with jitter;
 * Retry-After), rate and in-flight limits and the response size cap. Requests are queued by
 * http_submit and run by http_wait, which returns once every queued request has completed;
 * `done` callbacks run on the thread that called http_wait, one at a time. Once the collection
 * is cancelled, requests complete at once as HX_TRANSPORT_CANCELLED.
 *
 * `cancelled` returns 1 once the host has cancelled this instance's work (shutdown, reload),
 * else 0; it stays 1. Work that blocks outside http_wait (a child process, a socket of its own)
 * polls it at least every 100 ms and then stops, releasing what it started. Any thread may
 * call it.
 */
typedef struct hx_host {
  void* host_ctx;
  void (*log)(void* host_ctx, uint32_t level /* hx_log_level */, hx_str message);
  int64_t (*now_unix_seconds)(void* host_ctx);
  hx_status (*http_configure)(void* host_ctx, const hx_http_options* options);
  hx_status (*http_submit)(void* host_ctx, const hx_http_request* request, hx_http_done_fn done,
                           void* user);
  void (*http_wait)(void* host_ctx);
  int32_t (*cancelled)(void* host_ctx);
} hx_host;

/* Where a plugin reports the results of one collection; valid during `collect` only. */
typedef struct hx_collect_sink {
  void* sink_ctx;
  void (*sample)(void* sink_ctx, hx_str hashtag, int64_t video_count, int64_t view_count);
  void (*failure)(void* sink_ctx, hx_str hashtag, uint32_t reason /* hx_reason */, hx_str message);
  void (*credits_remaining)(void* sink_ctx, double credits);
} hx_collect_sink;

/* A configuration error: `key` is the settings key at fault (empty for the whole block). */
typedef struct hx_error {
  char key[128];
  char message[512];
} hx_error;

typedef struct hx_plugin {
  uint32_t abi_version; /* HX_PLUGIN_ABI_VERSION */
  uint32_t reserved;    /* zero; makes the padding explicit */
  const char* name;     /* static, NUL-terminated */
  const char* version;  /* static, NUL-terminated */
  /*
   * Validates `settings_json` (the source's `settings` block as a JSON object) and creates an
   * instance. `host` lives until `destroy(instance)` returns; the plugin may keep it.
   */
  hx_status (*create)(const hx_host* host, hx_str settings_json, void** instance, hx_error* error);
  /* Collects every hashtag once, reporting exactly one sample or failure per hashtag. */
  void (*collect)(void* instance, const hx_str* hashtags, uint64_t hashtag_count,
                  const hx_collect_sink* sink);
  void (*destroy)(void* instance);
} hx_plugin;

typedef const hx_plugin* (*hx_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

/* The layout on x86_64 and the other LP64 targets; a change here is an ABI version bump. */
#if defined(__LP64__)
#ifdef __cplusplus
#define HX_ABI_STATIC_ASSERT(condition) static_assert(condition, #condition)
#else
#define HX_ABI_STATIC_ASSERT(condition) _Static_assert(condition, #condition)
#endif
HX_ABI_STATIC_ASSERT(sizeof(hx_str) == 16 && offsetof(hx_str, size) == 8);
HX_ABI_STATIC_ASSERT(sizeof(hx_http_header) == 32 && offsetof(hx_http_header, value) == 16);
HX_ABI_STATIC_ASSERT(sizeof(hx_http_request) == 64 && offsetof(hx_http_request, url) == 16 &&
                     offsetof(hx_http_request, headers) == 32 &&
                     offsetof(hx_http_request, header_count) == 40 &&
                     offsetof(hx_http_request, body) == 48);
HX_ABI_STATIC_ASSERT(sizeof(hx_http_response) == 48 && offsetof(hx_http_response, status) == 4 &&
                     offsetof(hx_http_response, body) == 8 &&
                     offsetof(hx_http_response, error) == 24 &&
                     offsetof(hx_http_response, attempts) == 40 &&
                     offsetof(hx_http_response, reserved) == 44);
HX_ABI_STATIC_ASSERT(sizeof(hx_http_options) == 24 &&
                     offsetof(hx_http_options, max_in_flight) == 4 &&
                     offsetof(hx_http_options, requests_per_minute) == 8 &&
                     offsetof(hx_http_options, max_attempts) == 12 &&
                     offsetof(hx_http_options, max_body_bytes) == 16);
HX_ABI_STATIC_ASSERT(sizeof(hx_host) == 56 && offsetof(hx_host, log) == 8 &&
                     offsetof(hx_host, now_unix_seconds) == 16 &&
                     offsetof(hx_host, http_configure) == 24 &&
                     offsetof(hx_host, http_submit) == 32 && offsetof(hx_host, http_wait) == 40 &&
                     offsetof(hx_host, cancelled) == 48);
HX_ABI_STATIC_ASSERT(sizeof(hx_collect_sink) == 32 && offsetof(hx_collect_sink, sample) == 8 &&
                     offsetof(hx_collect_sink, failure) == 16 &&
                     offsetof(hx_collect_sink, credits_remaining) == 24);
HX_ABI_STATIC_ASSERT(sizeof(hx_error) == 640 && offsetof(hx_error, message) == 128);
HX_ABI_STATIC_ASSERT(sizeof(hx_plugin) == 48 && offsetof(hx_plugin, reserved) == 4 &&
                     offsetof(hx_plugin, name) == 8 && offsetof(hx_plugin, version) == 16 &&
                     offsetof(hx_plugin, create) == 24 && offsetof(hx_plugin, collect) == 32 &&
                     offsetof(hx_plugin, destroy) == 40);
#undef HX_ABI_STATIC_ASSERT
#endif

#endif
