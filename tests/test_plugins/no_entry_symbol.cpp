// A plugin that declares the ABI version but forgot the entry function.
#include <hashtag_exporter/plugin/abi.h>

extern "C" __attribute__((visibility("default")))
const uint32_t hashtag_exporter_plugin_abi_version = HX_PLUGIN_ABI_VERSION;
