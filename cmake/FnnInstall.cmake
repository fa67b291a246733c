# What `cmake --install BUILD --prefix PREFIX` puts in PREFIX: fnn's SDK, laid out as the build tree
# already is (libfnn finds its plugins in fnn/plugins beside itself, in both).
#
#   include/fnn/*.hpp                 the public headers, version.hpp (generated) included
#   lib/libfnn.so*                    the framework, with its soname links
#   lib/libfnn_onnx.so*               the ONNX exporter (when built: FNN_ONNX)
#   lib/fnn/plugins/fnn_*.so          fnn's plugins (install rule from fnn_add_plugin)
#   bin/fnn                           the command-line tool, RUNPATH $ORIGIN/../lib
#   lib/cmake/fnn/                    the CMake package: fnn::framework and fnn_add_plugin()
#
# Each rule names its component: `runtime` (the tool, libfnn.so.N, the plugins) or `development`
# (headers, the libfnn.so link, the CMake package), which CPack packages as fnn and fnn-dev
# (FnnPackaging.cmake). Tests, fixtures, benchmarks and examples have no install rules. Included
# by the top-level CMakeLists.txt once the framework, plugin and app targets exist.
include(CMakePackageConfigHelpers)

set(FNN_PACKAGE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fnn)

# The framework and its headers; plugin projects link it as fnn::framework.
set_target_properties(fnn_framework PROPERTIES EXPORT_NAME framework)
install(TARGETS fnn_framework EXPORT fnnTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
                NAMELINK_COMPONENT development)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/framework/include/fnn
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/generated/include/fnn/version.hpp  # framework/CMakeLists.txt
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fnn COMPONENT development)

# The tool finds libfnn relative to itself, so it runs without LD_LIBRARY_PATH: in an installation
# and in the build tree, whose bin/ and lib/ differ only where LIBDIR is not "lib" (lib64).
file(RELATIVE_PATH fnn_bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
file(RELATIVE_PATH fnn_build_bin_to_lib ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}
                                        ${CMAKE_LIBRARY_OUTPUT_DIRECTORY})
set(fnn_cli_rpath "$ORIGIN/${fnn_bin_to_lib}" "$ORIGIN/${fnn_build_bin_to_lib}")
list(REMOVE_DUPLICATES fnn_cli_rpath)
set_target_properties(fnn_cli PROPERTIES INSTALL_RPATH "${fnn_cli_rpath}")
install(TARGETS fnn_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

# Built with the RPATH they are installed with, plus the directories of what they link from
# outside this project (OpenBLAS's), never with an empty entry (see RUNPATH in CMakeLists.txt).
set_target_properties(fnn_framework fnn_cli PROPERTIES BUILD_WITH_INSTALL_RPATH ON
                                                       INSTALL_RPATH_USE_LINK_PATH ON)

# The ONNX exporter, when built: libfnn_onnx (finds libfnn beside itself) and its header.
if(TARGET fnn_onnx)
  set_target_properties(fnn_onnx PROPERTIES EXPORT_NAME onnx INSTALL_RPATH "$ORIGIN"
                                            BUILD_WITH_INSTALL_RPATH ON
                                            INSTALL_RPATH_USE_LINK_PATH ON)
  # The exporter ships with the tool that uses it (package fnn); its header with the SDK.
  install(TARGETS fnn_onnx EXPORT fnnTargets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
                  NAMELINK_COMPONENT development)
  install(FILES ${PROJECT_SOURCE_DIR}/framework/onnx/include/fnn/onnx_export.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fnn COMPONENT development)
endif()

# The CMake package.
install(EXPORT fnnTargets NAMESPACE fnn:: DESTINATION ${FNN_PACKAGE_INSTALL_DIR}
        COMPONENT development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/fnnConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/generated/cmake/fnnConfig.cmake
                              INSTALL_DESTINATION ${FNN_PACKAGE_INSTALL_DIR}
                              PATH_VARS FNN_PLUGIN_INSTALL_DIR CMAKE_INSTALL_INCLUDEDIR)
# SameMinorVersion, stricter than SameMajorVersion: a plugin runs only under the plugin ABI it was
# compiled against, and while fnn is 0.x a minor release may change that ABI (FNN_ABI_VERSION is
# bumped on its own, not encoded in the version). So find_package(fnn 0.1) accepts 0.1.x only,
# never 0.2; the loader's ABI check (fnn/plugin.hpp) remains the final word at run time.
# The default architecture check stays on: sizeof(void*) is part of the ABI too.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/generated/cmake/fnnConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/generated/cmake/fnnConfig.cmake
              ${PROJECT_BINARY_DIR}/generated/cmake/fnnConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/FnnPlugin.cmake
        DESTINATION ${FNN_PACKAGE_INSTALL_DIR} COMPONENT development)
