# fnn_enable_warnings(TARGET): the project's warning set, errors with FNN_WERROR=ON.
function(fnn_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wcast-align -Woverloaded-virtual)
  if(FNN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
