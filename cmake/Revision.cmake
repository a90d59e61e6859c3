# The git revision that `hashtag_exporter --version` and hashtag_exporter_build_info report.
find_package(Git QUIET)
set(HASHTAG_EXPORTER_REVISION "unknown")
if(GIT_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/.git)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE HASHTAG_EXPORTER_REVISION
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET)
  if(NOT HASHTAG_EXPORTER_REVISION)
    set(HASHTAG_EXPORTER_REVISION "unknown")
  endif()
endif()
