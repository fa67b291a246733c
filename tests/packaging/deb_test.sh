#!/usr/bin/env bash
# fnn's Debian packages, as a user installs them, from a fresh temporary directory:
#   1. cpack -G DEB this fnn build: exactly fnn_VERSION_ARCH.deb and fnn-dev_VERSION_ARCH.deb;
#   2. dpkg-deb -I: their names, versions and declared dependencies (fnn: the run-time libraries,
#      found by dpkg-shlibdeps; fnn-dev: fnn of the same version), no file in both, and
#      `apt-get install --simulate` of both resolves (where apt-get is);
#   3. dpkg-deb -x both into a fresh directory; no binary there has an empty or relative RUNPATH;
#   4. build examples/custom-activation against that directory alone (as tests/sdk/sdk_test.sh
#      does against `cmake --install`: tests/sdk/plugin_author.sh);
#   5. the unpacked `fnn gradcheck swish --plugin-dir BUILD` passes, with fnn's plugins from the
#      unpacked tree. No LD_LIBRARY_PATH: the unpacked fnn finds its libfnn through its RUNPATH
#      $ORIGIN/../lib, libfnn finds its plugins beside itself, and the example plugin needs the
#      libfnn that the process has loaded already (its RUNPATH names the unpacked one anyway).
# usage: deb_test.sh FNN_BUILD_DIR FNN_SOURCE_DIR   (CMAKE, CPACK, CXX: the tools to use)
# Exit 77 (ctest's skip) when dpkg-deb, dpkg-shlibdeps or file is missing, except under CI=true.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 FNN_BUILD_DIR FNN_SOURCE_DIR" >&2
  exit 2
fi
fnn_build=$(cd "$1" && pwd -P)
fnn_source=$(cd "$2" && pwd -P)
[ -f "$fnn_build/CPackConfig.cmake" ] || { echo "deb_test: $1 is not fnn's CMake build directory" >&2; exit 2; }
for tool in dpkg-deb dpkg-shlibdeps file; do
  if ! command -v "$tool" >/dev/null; then
    if [ "${CI:-}" = true ]; then
      echo "deb_test: FAILED: $tool is missing (install dpkg-dev and file: .ci/install-deps)" >&2
      exit 1
    fi
    echo "deb_test: skipped: $tool is missing (install dpkg-dev and file)"
    exit 77
  fi
done
unset FNN_PLUGIN_PATH LD_LIBRARY_PATH  # the unpacked tool must find everything by itself

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fnn-deb-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tmp=$(cd "$tmp" && pwd -P)  # canonical, as the paths fnn prints
test_name=deb_test
source "$fnn_source/tests/sdk/plugin_author.sh"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$fnn_build/CMakeCache.txt")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$fnn_build/CMakeCache.txt")
libdir=${libdir:-lib}
arch=$(dpkg --print-architecture)
packages=$tmp/packages
root=$tmp/root
prefix=$root/usr  # CPACK_PACKAGING_INSTALL_PREFIX
fnn_deb=$packages/fnn_${version}_$arch.deb
dev_deb=$packages/fnn-dev_${version}_$arch.deb

step "1. cpack -G DEB -B $packages"
run "cpack" "${CPACK:-cpack}" -G DEB -B "$packages" --config "$fnn_build/CPackConfig.cmake"
built=$(cd "$packages" && ls ./*.deb | sed 's|^\./||' | sort | tr '\n' ' ')
[ "$built" = "fnn-dev_${version}_$arch.deb fnn_${version}_$arch.deb " ] ||
  fail "cpack: expected fnn_${version}_$arch.deb and fnn-dev_${version}_$arch.deb, made: $built" \
       "(an install() rule without COMPONENT runtime or development makes a package of its own)"

step "2. dpkg-deb -I: names and dependencies"
# field DEB NAME: the control field NAME of DEB.
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$fnn_deb" Package)" = fnn ] || fail "$fnn_deb: Package is '$(field "$fnn_deb" Package)'"
[ "$(field "$dev_deb" Package)" = fnn-dev ] || fail "$dev_deb: Package is '$(field "$dev_deb" Package)'"
for deb in "$fnn_deb" "$dev_deb"; do
  [ "$(field "$deb" Version)" = "$version" ] || fail "$deb: Version is '$(field "$deb" Version)'"
  [ "$(field "$deb" Architecture)" = "$arch" ] || fail "$deb: Architecture is not $arch"
done
dpkg-deb -I "$fnn_deb" >"$log" 2>&1 || fail "dpkg-deb -I $fnn_deb"
for library in libopenblas0 libtbb12 libboost-program-options1.74.0 zlib1g libstdc++6 libc6; do
  field "$fnn_deb" Depends | tr ',' '\n' | grep -q "^ *$library\( \|$\)" ||
    fail "fnn's Depends lacks $library: $(field "$fnn_deb" Depends)"
done
dpkg-deb -I "$dev_deb" >"$log" 2>&1 || fail "dpkg-deb -I $dev_deb"
expect "fnn-dev's Depends" "fnn (= $version)"
field "$dev_deb" Depends | grep -qE '(^|, )libstdc\+\+(-[0-9]+)?-dev' ||
  fail "fnn-dev's Depends lacks libstdc++'s headers: $(field "$dev_deb" Depends)"
# The files of DEB, one per line, without directories.
files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $6 }' | sort; }
files "$fnn_deb" >"$tmp/fnn.files"
files "$dev_deb" >"$tmp/fnn-dev.files"
for file in ./usr/bin/fnn "./usr/$libdir/libfnn.so.${version}" "./usr/$libdir/fnn/plugins/fnn_dense.so"; do
  grep -qxF "$file" "$tmp/fnn.files" || fail "the fnn package lacks $file"
done
for file in ./usr/include/fnn/plugin.hpp ./usr/include/fnn/version.hpp "./usr/$libdir/libfnn.so" \
            "./usr/$libdir/cmake/fnn/fnnConfig.cmake" "./usr/$libdir/cmake/fnn/FnnPlugin.cmake"; do
  grep -qxF "$file" "$tmp/fnn-dev.files" || fail "the fnn-dev package lacks $file"
done
both=$(comm -12 "$tmp/fnn.files" "$tmp/fnn-dev.files")
[ -z "$both" ] || fail "files in both packages (dpkg would refuse the second): $both"

if command -v apt-get >/dev/null; then  # what `apt install ./fnn_*.deb ./fnn-dev_*.deb` would do
  run "apt-get install --simulate of both packages" \
      apt-get install --simulate "$fnn_deb" "$dev_deb"
  expect "apt-get install --simulate of both packages" "Conf fnn-dev ($version"
fi

step "3. dpkg-deb -x both into $root"
mkdir "$root"
run "unpacking fnn" dpkg-deb -x "$fnn_deb" "$root"
run "unpacking fnn-dev" dpkg-deb -x "$dev_deb" "$root"
run "the unpacked binaries' RUNPATH" bash "$check_runpath" "$root"

step "4. build the example plugin against $root only"
build_example "$prefix" "$libdir"

step "5. the unpacked fnn gradcheck swish --plugin-dir $plugin_build"
gradcheck_example "$prefix/bin/fnn"
run "the unpacked fnn plugins" "$prefix/bin/fnn" plugins
expect "the unpacked fnn's own plugins" "from $prefix/$libdir/fnn/plugins/fnn_dense.so"

step "all checks passed"
