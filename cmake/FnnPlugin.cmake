# fnn_add_plugin(NAME source...)
#
# Builds a plugin: a MODULE library `fnn_NAME.so` (no "lib" prefix) with hidden visibility, linked
# against libfnn, placed where fnn finds it. Every plugin target is recorded in the global property
# FNN_PLUGIN_TARGETS so that tests and examples can depend on all of them.
function(fnn_add_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "fnn_add_plugin(${name}): give at least one source file")
  endif()
  set(target fnn_plugin_${name})
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE fnn::framework)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME fnn_${name}
    LIBRARY_OUTPUT_DIRECTORY ${FNN_PLUGIN_OUTPUT_DIRECTORY}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(COMMAND fnn_enable_warnings)
    fnn_enable_warnings(${target})
  endif()
  set_property(GLOBAL APPEND PROPERTY FNN_PLUGIN_TARGETS ${target})
endfunction()
