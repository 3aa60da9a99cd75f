# What `cmake --install` adds for third parties besides the targets' own install rules: the
# CMake package (find_package(TileFlow) giving TileFlow::algorithms and TileFlow::plugin)
# and the pkg-config files tileflow.pc and tileflow-plugin.pc. Then the Debian package of
# everything installed: `cpack -G DEB` in a build tree.
include(CMakePackageConfigHelpers)

set(TILEFLOW_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/TileFlow)
set(TILEFLOW_INSTALL_PLUGINDIR ${CMAKE_INSTALL_LIBDIR}/tileflow/plugins)

install(EXPORT TileFlowTargets
  NAMESPACE TileFlow::
  DESTINATION ${TILEFLOW_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/TileFlowConfig.cmake.in
  ${PROJECT_BINARY_DIR}/TileFlowConfig.cmake
  INSTALL_DESTINATION ${TILEFLOW_INSTALL_CMAKEDIR}
  PATH_VARS TILEFLOW_INSTALL_PLUGINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/TileFlowConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/TileFlowConfig.cmake
  ${PROJECT_BINARY_DIR}/TileFlowConfigVersion.cmake
  DESTINATION ${TILEFLOW_INSTALL_CMAKEDIR})

# The pkg-config files locate the prefix from their own folder (${pcfiledir}), so they stay
# right for `cmake --install --prefix` and for a tree that is moved after installing.
file(RELATIVE_PATH pcPrefixFromPcDir "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" pcPrefixFromPcDir "${pcPrefixFromPcDir}")
foreach(pc tileflow tileflow-plugin)
  configure_file(cmake/${pc}.pc.in ${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

# One package, tileflow: libraries, headers, plugins, the viewer and CLI, the desktop entry.
# dpkg-shlibdeps derives the dependencies from the libraries the binaries link (Qt's xcb
# platform plugin comes with libqt6gui6).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tileflow)
set(CPACK_PACKAGE_VENDOR "TileFlow developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "TileFlow processes gigapixel images (whole-slide scans, multichannel fluorescence stacks, \
multispectral rasters) tile by tile with overlap and reconstructs the result without seams. \
This package holds the C++ libraries and headers, the processing plugins, the tileflow \
viewer and batch command, and the tileflow Python package.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "TileFlow developers")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The tileflow Python module is built for one interpreter version and needs numpy; the viewer
# and the libraries do not, so they are recommended rather than required.
if(TARGET tileflow_python)
  math(EXPR nextMinor "${Python_VERSION_MINOR} + 1")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
      "python3 (>= ${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}), python3 (<< ${Python_VERSION_MAJOR}.${nextMinor}), python3-numpy")
endif()
include(CPack)
