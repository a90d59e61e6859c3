/* A plugin that declares the ABI version but forgot the entry function. Written in C, so that
 * abi.h (and its layout checks, _Static_assert in C) is compiled as C too. */
#include <hashtag_exporter/plugin/abi.h>

__attribute__((visibility("default"))) const uint32_t hashtag_exporter_plugin_abi_version =
    HX_PLUGIN_ABI_VERSION;
