# What `cmake --install` adds for third parties besides the targets' own install rules: the
# CMake package (find_package(TileFlow) giving TileFlow::algorithms and TileFlow::plugin)
# and the pkg-config files tileflow.pc and tileflow-plugin.pc.
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
