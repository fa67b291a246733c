#!/usr/bin/env bash
# What a plugin author does with fnn's SDK, from a fresh temporary directory:
#   1. cmake --install this fnn build into a fresh prefix (and nothing else: no tests, fixtures);
#   2. configure and build examples/custom-activation (a copy) against that prefix only;
#   3. the installed `fnn gradcheck swish --plugin-dir BUILD` passes;
#   4. the installed `fnn plugins` finds swish through FNN_PLUGIN_PATH, and not without it;
#   5. the installed fnn trains XOR with swish hidden units, evaluates and predicts it;
#   6. after `cmake --install` of the plugin project, the installed `fnn plugins` lists swish
#      from fnn's own plugin directory, with no flag and no environment.
# After steps 1, 2 and 6, no installed or built binary has an empty or relative RUNPATH entry.
# usage: sdk_test.sh FNN_BUILD_DIR FNN_SOURCE_DIR   (CMAKE, CXX: the cmake and compiler to use)
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 FNN_BUILD_DIR FNN_SOURCE_DIR" >&2
  exit 2
fi
fnn_build=$(cd "$1" && pwd -P)
fnn_source=$(cd "$2" && pwd -P)
[ -f "$fnn_build/CMakeCache.txt" ] || { echo "sdk_test: $1 is not a CMake build directory" >&2; exit 2; }
unset FNN_PLUGIN_PATH LD_LIBRARY_PATH  # the installed tool must find everything by itself

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fnn-sdk-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tmp=$(cd "$tmp" && pwd -P)  # canonical, as the paths fnn prints
test_name=sdk_test
source "$fnn_source/tests/sdk/plugin_author.sh"
prefix=$tmp/prefix
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$fnn_build/CMakeCache.txt")
libdir=${libdir:-lib}  # GNUInstallDirs: "lib" unless fnn was configured for /usr
plugin_dir=$prefix/$libdir/fnn/plugins
fnn=$prefix/bin/fnn

step "1. cmake --install $fnn_build --prefix $prefix"
run "installing fnn" "$cmake" --install "$fnn_build" --prefix "$prefix"
for file in include/fnn/plugin.hpp include/fnn/version.hpp bin/fnn "$libdir/libfnn.so" \
            "$libdir"/cmake/fnn/{fnnConfig,fnnConfigVersion,fnnTargets,FnnPlugin}.cmake \
            "$libdir"/fnn/plugins/{fnn_dense,fnn_sigmoid}.so; do
  [ -e "$prefix/$file" ] || fail "installing fnn: $prefix/$file is missing"
done
stray=$(find "$prefix" \( -name 'fnn_tests' -o -name 'fnn_cli_tests' -o -name 'fnn_example_*' \
                          -o -name 'fnn_bench_*' -o -name 'no_entry_point*' -o -name 'twin_*' \) \
             -print)
[ -z "$stray" ] || fail "installing fnn: tests, fixtures, examples or benchmarks were installed: $stray"
readelf -d "$fnn" >"$log" 2>&1 || fail "reading $fnn's dynamic section"
expect "the installed fnn's RPATH" "\$ORIGIN/../$libdir"
refuse "the installed fnn's RPATH" "$fnn_build" "$log"
run "the installed binaries' RUNPATH" bash "$check_runpath" "$prefix"

step "2. build the example plugin against $prefix only"
build_example "$prefix" "$libdir"

step "3. fnn gradcheck swish --plugin-dir $plugin_build"
gradcheck_example "$fnn"

step "4. FNN_PLUGIN_PATH=$plugin_build fnn plugins"
run "fnn plugins" "$fnn" plugins
refuse "fnn plugins with no flag before the plugin is installed" "swish" "$log"
expect "fnn plugins: fnn's own plugins come from the installation" \
       "from $plugin_dir/fnn_dense.so"
FNN_PLUGIN_PATH=$plugin_build run "fnn plugins with FNN_PLUGIN_PATH" "$fnn" plugins
expect "fnn plugins with FNN_PLUGIN_PATH" "swish"
expect "fnn plugins with FNN_PLUGIN_PATH" "from $plugin_build/fnn_swish.so"

step "5. train XOR with swish hidden units (and export it to ONNX, when fnn has the exporter)"
cd "$tmp"
printf 'a,b,xor\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n' >xor.csv
run "fnn train" "$fnn" train --train "$tmp/xor.csv" --hidden 4 --activation swish \
    --output-activation sigmoid --learning-rate 1 --batch-size 4 --epochs 2000 --progress plain \
    --plugin-dir "$plugin_build" --save m.fnn
[ -f m.fnn ] || fail "fnn train: no model file m.fnn"
run "fnn eval" "$fnn" eval --model m.fnn --test "$tmp/xor.csv" --plugin-dir "$plugin_build"
loss=$(sed -n 's/^test: loss \([0-9.e+-]*\).*/\1/p' "$log")
[ -n "$loss" ] || fail "fnn eval: no 'test: loss' line"
awk -v loss="$loss" 'BEGIN { exit !(loss < 0.02) }' || fail "fnn eval: XOR loss $loss, not below 0.02"
run "fnn predict" "$fnn" predict --model m.fnn --input "$tmp/xor.csv" --output predictions.csv \
    --plugin-dir "$plugin_build"
rounded=$(awk -F, 'NR > 1 { printf "%d", $1 + 0.5 }' predictions.csv)
[ "$rounded" = "0110" ] ||
  fail "fnn predict: XOR predictions round to $rounded, not 0110: $(tr '\n' ' ' <predictions.csv)"
echo "sdk_test:    eval: loss $loss; predictions $(tail -n +2 predictions.csv | tr '\n' ' ')"
if [ -e "$prefix/$libdir/libfnn_onnx.so" ]; then  # fnn built with its ONNX exporter (FNN_ONNX)
  run "fnn export" "$fnn" export --model m.fnn --onnx m.onnx --plugin-dir "$plugin_build"
  expect "fnn export" "largest difference from fnn predict"
  [ -s m.onnx ] || fail "fnn export: no m.onnx"
  echo "sdk_test:    export: $(tail -n 1 "$log")"
fi

step "6. cmake --install $plugin_build; fnn plugins with no flag"
run "installing the example plugin" "$cmake" --install "$plugin_build"
[ -f "$plugin_dir/fnn_swish.so" ] || fail "installing the example plugin: no $plugin_dir/fnn_swish.so"
run "the installed example plugin's RUNPATH" bash "$check_runpath" "$plugin_dir"
run "fnn plugins after installing the plugin" "$fnn" plugins
expect "fnn plugins after installing the plugin" "from $plugin_dir/fnn_swish.so"
run "fnn gradcheck swish from fnn's own plugin directory" "$fnn" gradcheck swish
expect "fnn gradcheck swish from fnn's own plugin directory" "1 checked, 0 failed"

step "all checks passed"
