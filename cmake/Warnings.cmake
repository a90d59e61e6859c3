# Compiler settings every target of this project links PRIVATE; nothing is set globally.
add_library(hashtag_exporter_warnings INTERFACE)
add_library(hashtag_exporter::warnings ALIAS hashtag_exporter_warnings)
target_compile_options(hashtag_exporter_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor>)
