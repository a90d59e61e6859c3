// A library that kills any process that loads it: an unrelated, broken library left on the
// plugin path, which the exporter must not load while no source names it.
#include <cstdlib>

__attribute__((constructor)) static void abort_when_loaded() { std::abort(); }
