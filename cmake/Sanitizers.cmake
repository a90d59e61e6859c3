# Sanitizer and fuzzing builds, each in a build tree of its own (scripts/sanitizers.sh,
# scripts/fuzz.sh). Both settings are off by default: a normal build is unchanged.
#
#   -DHASHTAG_EXPORTER_SANITIZERS="address;undefined"   every target of the project instrumented
#   -DHASHTAG_EXPORTER_SANITIZERS=thread
#   -DHASHTAG_EXPORTER_FUZZ=ON                           clang only: the libFuzzer targets of
#                                                        tests/fuzz, with address and undefined
#
# The flags live in an INTERFACE target, linked by hashtag_exporter::warnings, which every
# target of the project links PRIVATE: nothing is set globally. Included at the end of the
# top-level CMakeLists.txt, when every target exists.
set(HASHTAG_EXPORTER_SANITIZERS "" CACHE STRING
    "Sanitizers for every target of the project, e.g. address;undefined or thread (empty: none)")
option(HASHTAG_EXPORTER_FUZZ
       "Build the libFuzzer targets of tests/fuzz (clang; adds the address and undefined sanitizers)"
       OFF)

set(hashtag_exporter_sanitizers ${HASHTAG_EXPORTER_SANITIZERS})
if(HASHTAG_EXPORTER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HASHTAG_EXPORTER_FUZZ needs clang (libFuzzer), got ${CMAKE_CXX_COMPILER_ID}:"
                        " configure with CC=clang CXX=clang++ (see scripts/fuzz.sh)")
  endif()
  list(APPEND hashtag_exporter_sanitizers address undefined)
endif()
list(REMOVE_DUPLICATES hashtag_exporter_sanitizers)

if(hashtag_exporter_sanitizers)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang)$")
    message(FATAL_ERROR "HASHTAG_EXPORTER_SANITIZERS needs GCC or clang")
  endif()
  if("thread" IN_LIST hashtag_exporter_sanitizers AND "address" IN_LIST hashtag_exporter_sanitizers)
    message(FATAL_ERROR "the thread and address sanitizers cannot be combined; use two build trees")
  endif()
  list(JOIN hashtag_exporter_sanitizers "," joined)
  add_library(hashtag_exporter_sanitizers INTERFACE)
  add_library(hashtag_exporter::sanitizers ALIAS hashtag_exporter_sanitizers)
  target_compile_options(hashtag_exporter_sanitizers INTERFACE
    -fsanitize=${joined} -fno-omit-frame-pointer
    # GCC's flow analysis under the sanitizers warns wrongly about libstdc++'s <regex>.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  if("undefined" IN_LIST hashtag_exporter_sanitizers)
    # Undefined behaviour stops the program, whatever UBSAN_OPTIONS says.
    target_compile_options(hashtag_exporter_sanitizers INTERFACE -fno-sanitize-recover=undefined)
  endif()
  if(HASHTAG_EXPORTER_FUZZ)
    # Coverage for libFuzzer in everything the fuzz targets link; libFuzzer's main comes with
    # -fsanitize=fuzzer on the fuzz targets alone (tests/fuzz).
    target_compile_options(hashtag_exporter_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
  endif()
  target_link_options(hashtag_exporter_sanitizers INTERFACE -fsanitize=${joined})
  target_link_libraries(hashtag_exporter_warnings INTERFACE hashtag_exporter_sanitizers)
  message(STATUS "hashtag_exporter: sanitizers ${joined}")
endif()

if(HASHTAG_EXPORTER_FUZZ)
  add_subdirectory(tests/fuzz)
endif()
