# The steps of a plugin author working against an installed fnn, shared by tests/sdk/sdk_test.sh
# (fnn installed by `cmake --install`) and tests/packaging/deb_test.sh (fnn unpacked from its
# Debian packages). Sourced, after the caller has set:
#   test_name    prefixes every message, e.g. "sdk_test"
#   tmp          a fresh temporary directory, canonical (as the paths fnn prints)
#   fnn_source   fnn's source tree;  fnn_build: the fnn build the installation came from
#   CMAKE, CXX   the cmake and compiler to use (CMAKE defaults to cmake)
# Defines step, fail, run, expect, refuse, and the two steps build_example and gradcheck_example.

example=$fnn_source/examples/custom-activation
check_runpath=$fnn_source/tests/runpath/check_runpath.sh
plugin_source=$tmp/custom-activation
plugin_build=$tmp/build
cmake=${CMAKE:-cmake}
log=$tmp/log
: >"$log"
[ -f "$example/swish.cpp" ] || { echo "$test_name: $fnn_source is not fnn's source tree (no $example)" >&2; exit 2; }

step() { echo "$test_name: $*"; }
fail() {
  echo "$test_name: FAILED: $*" >&2
  if [ -s "$log" ]; then
    echo "---- output of the last command ----" >&2
    tail -n 60 "$log" >&2
  fi
  exit 1
}
# run WHAT COMMAND...: runs COMMAND with its output in $log; on failure, says WHAT failed.
run() {
  local what=$1
  shift
  "$@" >"$log" 2>&1 || fail "$what: exit $? from: $*"
}
# expect WHAT TEXT: the last command's output contains TEXT (a fixed string).
expect() { grep -qF -- "$2" "$log" || fail "$1: the output lacks '$2'"; }
# refuse WHAT TEXT FILE...: none of the files contains TEXT.
refuse() {
  local what=$1 text=$2
  shift 2
  if grep -qF -- "$text" "$@"; then fail "$what: '$text' appears in $*"; fi
}

# build_example PREFIX LIBDIR: configures and builds a copy of examples/custom-activation in
# $plugin_build against the fnn installed in PREFIX only (fnn's CMake package in
# PREFIX/LIBDIR/cmake/fnn; nothing of fnn's source or build tree), linked with PREFIX's libfnn,
# with no empty or relative RUNPATH entry.
build_example() {
  local prefix=$1 libdir=$2
  mkdir "$plugin_source"  # a copy of the project's files only: nothing of fnn's tree nearby
  cp "$example"/*.* "$plugin_source"/ || fail "copying $example"
  run "configuring examples/custom-activation" \
      "$cmake" -S "$plugin_source" -B "$plugin_build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
      ${CXX:+-DCMAKE_CXX_COMPILER="$CXX"}
  local found
  found=$(sed -n 's/^fnn_DIR:PATH=//p' "$plugin_build/CMakeCache.txt")
  [ "$(cd "$found" && pwd -P)" = "$prefix/$libdir/cmake/fnn" ] ||
    fail "configuring examples/custom-activation: found fnn in '$found', not in $prefix"
  run "building examples/custom-activation" "$cmake" --build "$plugin_build" -j2
  [ -f "$plugin_build/fnn_swish.so" ] || fail "building: $plugin_build/fnn_swish.so is missing"
  local tree
  for tree in "$fnn_source" "$fnn_build"; do
    refuse "building against the installation only" "$tree" "$plugin_build/compile_commands.json" \
           "$plugin_build/CMakeFiles/fnn_plugin_swish.dir/link.txt"
  done
  ldd "$plugin_build/fnn_swish.so" >"$log" 2>&1 || fail "ldd $plugin_build/fnn_swish.so"
  expect "the plugin's libfnn" "$prefix/$libdir/libfnn.so"
  run "the example plugin's RUNPATH" bash "$check_runpath" "$plugin_build"
}

# gradcheck_example FNN: FNN (an installed fnn tool) checks the built plugin's derivative.
gradcheck_example() {
  run "fnn gradcheck swish" "$1" gradcheck swish --plugin-dir "$plugin_build"
  expect "fnn gradcheck swish" "1 checked, 0 failed"
}
