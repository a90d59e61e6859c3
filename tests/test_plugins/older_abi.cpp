// A plugin built with the headers of the previous ABI version.
#include <hashtag_exporter/plugin/abi.h>

extern "C" __attribute__((visibility("default")))
const uint32_t hashtag_exporter_plugin_abi_version = HX_PLUGIN_ABI_VERSION - 1;

// Must never be called: the host checks the version first.
extern "C" __attribute__((visibility("default"))) const hx_plugin* hashtag_exporter_plugin(void) {
  __builtin_trap();
}
