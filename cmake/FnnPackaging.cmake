# `cpack -G DEB` in a build directory (after the build): Debian packages made from the install
# rules (FnnInstall.cmake, FnnPlugin.cmake), one per install component, for /usr:
#
#   component     package   holds
#   runtime       fnn       bin/fnn, lib/libfnn.so.N, lib/fnn/plugins/fnn_*.so
#   development   fnn-dev   include/fnn/*.hpp, the lib/libfnn.so link, lib/cmake/fnn/
#   mpi           fnn-mpi   lib/fnn/fnn_comm_mpi.so (when built: comm/CMakeLists.txt)
#
# Install them with `apt install ./fnn_*.deb ./fnn-dev_*.deb` (and ./fnn-mpi_*.deb for
# `mpirun fnn train`, docs/distributed.md). A module shipped on its own adds an install component
# and a cpack_add_component() below that DEPENDS on runtime, as mpi does.
#
# fnn's Depends are computed by dpkg-shlibdeps (package dpkg-dev) from what its binaries link
# (OpenBLAS, oneTBB, Boost.Program_options, zlib, libstdc++, ...); without it there would be
# none, so cpack refuses to run. Included by the top-level CMakeLists.txt after FnnInstall.

set(CPACK_PACKAGE_NAME fnn)
set(CPACK_PACKAGE_VENDOR "fnn")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
if(NOT CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "fnn maintainers <fnn@localhost>")
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES OFF)  # keep symbols: the sanitizer and profiling stages read them

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # fnn_0.1.0_amd64.deb, fnn-dev_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)  # DEPENDS below -> "fnn (= VERSION)"

find_program(FNN_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(FNN_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
  # fnn-mpi: Open MPI's run-time library (libopenmpi3 on Debian 12). The module also links
  # libfnn, which no installed package provides at build time: dpkg-shlibdeps finds it in the
  # build tree (a private directory: no dependency from it; fnn's comes from DEPENDS runtime).
  set(CPACK_DEBIAN_MPI_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_LIBRARY_OUTPUT_DIRECTORY})
else()
  # Refuse at cpack time, not at configure time: a build that is never packaged needs no dpkg-dev.
  set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/FnnPackagingRefuse.cmake)
endif()
# No shlibs file: CPack would generate it for every shared object, plugins included, and warn
# for each that has no soname. fnn's own packages (fnn-dev, fnn-mpi) depend on fnn of their exact
# version through their component DEPENDS; the plugin ABI may change in any 0.x release.

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME fnn)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME fnn-dev)
set(CPACK_DEBIAN_MPI_PACKAGE_NAME fnn-mpi)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
# fnn's headers use only the C++20 standard library; find_package(fnn) finds no dependency
# (libfnn links OpenBLAS, oneTBB and zlib privately). A plugin must be built on libstdc++, as fnn
# (see "ABI rules" in docs/writing-plugins.md), by g++ or clang++, with CMake for fnnConfig.
# The libstdc++ headers of the g++ that built fnn (libstdc++-12-dev on Debian 12).
set(fnn_libstdcxx_dev libstdc++-dev)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  string(REGEX MATCH "^[0-9]+" fnn_gcc_major "${CMAKE_CXX_COMPILER_VERSION}")
  set(fnn_libstdcxx_dev "libstdc++-${fnn_gcc_major}-dev")
endif()
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS "${fnn_libstdcxx_dev}")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_RECOMMENDS "cmake (>= 3.25), g++ (>= 4:12) | clang (>= 1:14)")

include(CPack)
cpack_add_component(runtime DISPLAY_NAME "fnn"
                    DESCRIPTION "the fnn tool, libfnn and fnn's plugins")
cpack_add_component(development DISPLAY_NAME "fnn-dev" DEPENDS runtime
                    DESCRIPTION "headers and CMake package for fnn plugins and host programs")
if(FNN_HAVE_MPI)  # comm/CMakeLists.txt built fnn_comm_mpi
  cpack_add_component(mpi DISPLAY_NAME "fnn-mpi" DEPENDS runtime
                      DESCRIPTION "fnn train under mpirun or srun: the MPI gradient exchange")
endif()
