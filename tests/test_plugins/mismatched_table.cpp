// A plugin whose version symbol is the host's but whose table is of the previous version, as a
// plugin mixing two SDKs would be: the host must not read the table as its own.
#include <hashtag_exporter/plugin/abi.h>

extern "C" __attribute__((visibility("default")))
const uint32_t hashtag_exporter_plugin_abi_version = HX_PLUGIN_ABI_VERSION;

namespace {
hx_status create(const hx_host*, hx_str, void**, hx_error*) { return HX_ERROR; }
void collect(void*, const hx_str*, uint64_t, const hx_collect_sink*) {}
void destroy(void*) {}
}  // namespace

extern "C" __attribute__((visibility("default"))) const hx_plugin* hashtag_exporter_plugin(void) {
  static const hx_plugin table{
      HX_PLUGIN_ABI_VERSION - 1, 0, "mismatched_table", "1.0.0", &create, &collect, &destroy};
  return &table;
}
