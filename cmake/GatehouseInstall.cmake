# What `cmake --install` places, and the Debian package built from it (`make deb`).
#
# Paths follow GNUInstallDirs and the install prefix, which defaults to /usr (this is a
# Debian daemon: with prefix /usr, the configuration goes to /etc and state to /var). The
# unit and the shipped configuration are generated with the paths of this prefix. Stage
# an install with DESTDIR (`DESTDIR=/tmp/root cmake --install build`): /etc paths are
# absolute, so `--prefix` alone would still write to /etc.
include(GNUInstallDirs)

set(GATEHOUSE_SBINDIR ${CMAKE_INSTALL_FULL_SBINDIR})
set(GATEHOUSE_CONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/gatehouse)
set(GATEHOUSE_DOCDIR ${CMAKE_INSTALL_FULL_DOCDIR})
set(GATEHOUSE_INSTALLED_PLUGIN_DIR ${CMAKE_INSTALL_PREFIX}/lib/gatehouse/plugins)
set(GATEHOUSE_STATEDIR ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/gatehouse)

# The unit, with this prefix's paths.
configure_file(${PROJECT_SOURCE_DIR}/systemd/gatehouse.service.in ${CMAKE_BINARY_DIR}/systemd/gatehouse.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/systemd/gatehouse.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/gatehouse.sysusers DESTINATION lib/sysusers.d RENAME gatehouse.conf)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/gatehouse.tmpfiles DESTINATION lib/tmpfiles.d RENAME gatehouse.conf)

# The shipped configuration, pointed at this prefix's plugins, policies and state.
file(READ ${PROJECT_SOURCE_DIR}/config/gatehouse.yaml GATEHOUSE_CONFIG_TEXT)
string(REPLACE "/usr/lib/gatehouse/plugins" "${GATEHOUSE_INSTALLED_PLUGIN_DIR}" GATEHOUSE_CONFIG_TEXT "${GATEHOUSE_CONFIG_TEXT}")
string(REPLACE "/etc/gatehouse" "${GATEHOUSE_CONFDIR}" GATEHOUSE_CONFIG_TEXT "${GATEHOUSE_CONFIG_TEXT}")
string(REPLACE "/var/lib/gatehouse" "${GATEHOUSE_STATEDIR}" GATEHOUSE_CONFIG_TEXT "${GATEHOUSE_CONFIG_TEXT}")
file(WRITE ${CMAKE_BINARY_DIR}/etc/gatehouse.yaml "${GATEHOUSE_CONFIG_TEXT}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/config/gatehouse.yaml)
install(FILES ${CMAKE_BINARY_DIR}/etc/gatehouse.yaml DESTINATION ${GATEHOUSE_CONFDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/policies/ DESTINATION ${GATEHOUSE_CONFDIR}/policies)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- the Debian package ---
# Every file under the configuration directory is a conffile: dpkg keeps an admin's edits
# on upgrade and asks before replacing them.
file(GLOB_RECURSE GATEHOUSE_SHIPPED_POLICIES RELATIVE ${PROJECT_SOURCE_DIR}/policies CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/policies/*)
set(GATEHOUSE_CONFFILES "${GATEHOUSE_CONFDIR}/gatehouse.yaml\n")
foreach(f ${GATEHOUSE_SHIPPED_POLICIES})
  string(APPEND GATEHOUSE_CONFFILES "${GATEHOUSE_CONFDIR}/policies/${f}\n")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/deb/conffiles "${GATEHOUSE_CONFFILES}")
foreach(script postinst prerm postrm)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/${script}.in ${CMAKE_BINARY_DIR}/deb/${script} @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
                                  WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gatehouse)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Gatehouse")
set(CPACK_PACKAGE_CONTACT "Gatehouse maintainers <maintainers@gatehouse.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Team-access policy daemon (roles, assignments and checks over HTTP)")
set(CPACK_PACKAGE_DESCRIPTION
    "Gatehouse decides whether a subject may do something on an asset, from roles and policies in YAML and the assignments an account owner manages through a Wix-compatible team API.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: computed by dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_BINARY_DIR}/deb/conffiles;${CMAKE_BINARY_DIR}/deb/postinst;${CMAKE_BINARY_DIR}/deb/prerm;${CMAKE_BINARY_DIR}/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# Install to the real prefix (the /etc files are absolute): CPack stages with DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
include(CPack)
