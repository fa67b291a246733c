# fnn_add_plugin(NAME source...)
#
# Builds a plugin: a MODULE library `fnn_NAME.so` (no "lib" prefix) with hidden visibility, linked
# against fnn::framework, and gives it an install rule. Every plugin target is recorded in the
# global property FNN_PLUGIN_TARGETS so that tests and examples can depend on all of them.
#
# This one definition serves fnn's own tree and plugin projects outside it: it is installed with
# fnn's CMake package, and `find_package(fnn CONFIG)` includes it. Two variables, read when the
# function is called, say where the plugin goes; set either before the call to override it.
#
#   FNN_PLUGIN_OUTPUT_DIRECTORY  where the .so is built. fnn's tree sets build/lib/fnn/plugins
#                                (beside libfnn, where fnn finds it). Unset (a plugin project),
#                                the top of the project's build tree, CMAKE_BINARY_DIR, so that
#                                `fnn ... --plugin-dir build` finds `build/fnn_NAME.so`.
#   FNN_PLUGIN_INSTALL_DIR       where `cmake --install` puts it. fnn's tree sets
#                                ${CMAKE_INSTALL_LIBDIR}/fnn/plugins, under the install prefix;
#                                fnnConfig.cmake sets the installed fnn's own plugin directory (an
#                                absolute path), where that fnn finds plugins with no flag at all.
#                                Empty or unset: no install rule.
#   FNN_PLUGIN_INSTALL_COMPONENT the install component of that rule (fnn's tree: `runtime`, which
#                                CPack packages as `fnn`, see FnnPackaging.cmake). Unset: CMake's
#                                default component.
function(fnn_add_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "fnn_add_plugin(${name}): give at least one source file")
  endif()
  set(output_directory ${CMAKE_BINARY_DIR})
  if(DEFINED FNN_PLUGIN_OUTPUT_DIRECTORY)
    set(output_directory ${FNN_PLUGIN_OUTPUT_DIRECTORY})
  endif()

  set(target fnn_plugin_${name})
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE fnn::framework)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME fnn_${name}
    LIBRARY_OUTPUT_DIRECTORY ${output_directory}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(COMMAND fnn_enable_warnings)
    fnn_enable_warnings(${target})
  endif()
  if(FNN_PLUGIN_INSTALL_DIR)
    set(component)
    if(FNN_PLUGIN_INSTALL_COMPONENT)
      set(component COMPONENT ${FNN_PLUGIN_INSTALL_COMPONENT})
    endif()
    install(TARGETS ${target} LIBRARY DESTINATION ${FNN_PLUGIN_INSTALL_DIR} ${component})
    # Built with its install RUNPATH: the directories of what it links from outside the project
    # (none for fnn's own plugins: the process that loads a plugin has libfnn loaded already).
    # CMake's build-tree RUNPATH of an installed target ends in an empty entry, which the loader
    # reads as the current directory.
    set_target_properties(${target} PROPERTIES BUILD_WITH_INSTALL_RPATH ON
                                               INSTALL_RPATH_USE_LINK_PATH ON)
  endif()
  set_property(GLOBAL APPEND PROPERTY FNN_PLUGIN_TARGETS ${target})
endfunction()
