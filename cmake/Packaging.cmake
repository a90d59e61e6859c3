# Installation of the deployment files and the Debian package (CPack DEB).
#
#   cmake --install build --prefix /usr/local        # or DESTDIR=/tmp/root cmake --install build --prefix /usr
#   cpack -G DEB --config build/CPackConfig.cmake -B build/packages
#
# Both lay out the same files (tests/deploy/package checks it):
#   <prefix>/bin/hashtag_exporter
#   <prefix>/<libdir>/hashtag_exporter/plugins/{demo,tiktok}.so
#   <etc>/hashtag_exporter/hashtag_exporter.yml   config, a conffile in the package
#   <etc>/default/hashtag-exporter                 EnvironmentFile of the service (SCAVIO_API_KEY), mode 0640
#   <prefix>/lib/systemd/system/hashtag-exporter.service
#   <prefix>/share/doc/hashtag-exporter/{README.md,copyright,changelog.gz,changelog.Debian.gz,examples/*.yml}
#   <prefix>/share/man/man1/hashtag_exporter.1.gz
#   <prefix>/share/lintian/overrides/hashtag-exporter
# where <etc> is /etc for the prefix /usr (the package) and <prefix>/etc otherwise, decided at
# install time like GNUInstallDirs does at configure time: the package installs with the prefix
# /usr whatever the build was configured with. The unit's paths follow the prefix too.
#
# Include it from the top-level CMakeLists.txt after the targets (the binary and the plugins
# carry their own install() rules).

set(HASHTAG_EXPORTER_PACKAGE_MAINTAINER "hashtag_exporter maintainers <maintainers@hashtag-exporter.invalid>"
  CACHE STRING "Maintainer field of the Debian package")

# The date of this release, for the Debian changelog and the manual page (kept fixed, so that
# the package builds the same bytes every time).
set(HASHTAG_EXPORTER_RELEASE_DATE "Thu, 03 Dec 2026 00:00:00 +0000")
set(HASHTAG_EXPORTER_RELEASE_DAY "2026-12-03")

set(_hx_deploy ${PROJECT_SOURCE_DIR}/deploy)
set(_hx_packaging ${PROJECT_BINARY_DIR}/packaging)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
configure_file(${_hx_deploy}/debian/changelog.in ${_hx_packaging}/changelog.Debian @ONLY)
# The upstream changelog under the name Debian gives it.
configure_file(${PROJECT_SOURCE_DIR}/CHANGELOG.md ${_hx_packaging}/changelog COPYONLY)
configure_file(${_hx_deploy}/debian/hashtag_exporter.1.in ${_hx_packaging}/hashtag_exporter.1 @ONLY)

# --- files installed in /etc (or <prefix>/etc), and the unit with its paths for the prefix ---
# Written as install(CODE) so the destination follows the prefix given at install time
# (cmake --install --prefix, or cpack's /usr), not the one the build was configured with.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(_hx_etc /etc)
  else()
    set(_hx_etc \"\${CMAKE_INSTALL_PREFIX}/etc\")
  endif()
  file(INSTALL DESTINATION \"\${_hx_etc}/hashtag_exporter\" TYPE FILE
    FILES \"${_hx_deploy}/systemd/hashtag_exporter.yml\"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(INSTALL DESTINATION \"\${_hx_etc}/default\" TYPE FILE
    FILES \"${_hx_deploy}/systemd/hashtag-exporter.default\"
    RENAME hashtag-exporter
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)

  # The unit names /usr/bin, /usr/share and /etc; rewrite them for any other prefix.
  file(READ \"${_hx_deploy}/systemd/hashtag-exporter.service\" _hx_unit)
  string(REPLACE \"/usr/bin/hashtag_exporter\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/hashtag_exporter\" _hx_unit \"\${_hx_unit}\")
  string(REPLACE \"/usr/share/\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/\" _hx_unit \"\${_hx_unit}\")
  string(REPLACE \"/etc/\" \"\${_hx_etc}/\" _hx_unit \"\${_hx_unit}\")
  string(MD5 _hx_key \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  set(_hx_unit_file \"${PROJECT_BINARY_DIR}/packaging/\${_hx_key}/hashtag-exporter.service\")
  file(WRITE \"\${_hx_unit_file}\" \"\${_hx_unit}\")
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\" TYPE FILE
    FILES \"\${_hx_unit_file}\"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${_hx_deploy}/debian/copyright
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/hashtag-exporter)
install(FILES ${_hx_deploy}/debian/lintian-overrides
  DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME hashtag-exporter)
# Debian compresses changelogs and manual pages with gzip -9n (no name or time stamp inside).
install(CODE "
  foreach(_hx_page changelog changelog.Debian hashtag_exporter.1)
    execute_process(COMMAND gzip -9n -c \"${_hx_packaging}/\${_hx_page}\"
      OUTPUT_FILE \"${_hx_packaging}/\${_hx_page}.gz\" COMMAND_ERROR_IS_FATAL ANY)
  endforeach()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/doc/hashtag-exporter\"
    TYPE FILE FILES \"${_hx_packaging}/changelog.gz\" \"${_hx_packaging}/changelog.Debian.gz\"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1\"
    TYPE FILE FILES \"${_hx_packaging}/hashtag_exporter.1.gz\"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")
install(FILES ${PROJECT_SOURCE_DIR}/examples/tiktok.yml ${PROJECT_SOURCE_DIR}/examples/demo.yml
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/hashtag-exporter/examples)

# --- the Debian package ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hashtag-exporter)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "hashtag_exporter")
set(CPACK_PACKAGE_CONTACT "${HASHTAG_EXPORTER_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HASHTAG_EXPORTER_PACKAGE_MAINTAINER}")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Polls each source (TikTok through the Scavio API, others as
plugins) on a schedule, keeps every snapshot in SQLite, computes growth
over several windows and exposes counts, growth and its own health on
/metrics for Prometheus. Runs as the systemd service hashtag-exporter;
the API key goes in /etc/default/hashtag-exporter.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Library dependencies from dpkg-shlibdeps (package dpkg-dev); adduser and init-system-helpers
# (deb-systemd-helper, deb-systemd-invoke) for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${_hx_deploy}/debian/postinst
  ${_hx_deploy}/debian/prerm
  ${_hx_deploy}/debian/postrm
  ${_hx_deploy}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/node_modules/")

include(CPack)
