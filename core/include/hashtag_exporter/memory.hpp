#pragma once

namespace hashtag_exporter {

// Hands the allocator's free memory back to the system. Collection rounds and renders allocate
// many times what they keep and free it at once; glibc keeps such memory in the arena of the
// thread that freed it, so every thread that once did that work would hold tens of MB.
void release_free_memory();

}  // namespace hashtag_exporter
