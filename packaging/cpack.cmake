# cpack.cmake — the Debian package: `cpack -G DEB` in a build folder gives
# zpub_<version>_<arch>.deb with the binary, the man page zpub(1), and a
# systemd unit running the daemon as the system user `zpub`.
set(ZPUB_PKG ${CMAKE_SOURCE_DIR}/packaging)

add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/zpub.1.gz
  COMMAND gzip -9n -c ${ZPUB_PKG}/zpub.1 > ${CMAKE_BINARY_DIR}/zpub.1.gz
  DEPENDS ${ZPUB_PKG}/zpub.1 VERBATIM)
add_custom_target(zpub_manpage ALL DEPENDS ${CMAKE_BINARY_DIR}/zpub.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/zpub.1.gz DESTINATION share/man/man1)
install(FILES ${ZPUB_PKG}/zpub.service DESTINATION lib/systemd/system)
install(FILES ${ZPUB_PKG}/zpub.env.example DESTINATION share/doc/zpub)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zpub)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "zpub maintainers <maintainers@zpub.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "lecture recordings to published, structured videos")
set(CPACK_PACKAGE_DESCRIPTION
  "zpub takes lecture recordings from Zoom or a folder, trims dead air, transcribes,\
 finds topics, writes subtitles and descriptions and publishes to YouTube, VK or a\
 folder.  One binary: terminal app, scriptable commands and a daemon (systemd unit).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${ZPUB_PKG}/debian/postinst ${ZPUB_PKG}/debian/prerm ${ZPUB_PKG}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
