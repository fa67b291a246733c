#!/usr/bin/env bash
# fnn's Debian packages, as a user installs them, from a fresh temporary directory:
#   1. cpack -G DEB this fnn build: exactly fnn_VERSION_ARCH.deb and fnn-dev_VERSION_ARCH.deb,
#      and fnn-mpi_VERSION_ARCH.deb when the build has the MPI module (lib/fnn/fnn_comm_mpi.so);
#   2. dpkg-deb -I: their names, versions and declared dependencies (fnn: the run-time libraries,
#      found by dpkg-shlibdeps; fnn-dev: fnn of the same version; fnn-mpi: fnn of the same
#      version and Open MPI's library), the MPI module in fnn-mpi and not in fnn, no file in two
#      packages, and `apt-get install --simulate` of all resolves (where apt-get is);
#   3. dpkg-deb -x all into a fresh directory; no binary there has an empty or relative RUNPATH;
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
mpi_deb=
expected="fnn-dev_${version}_$arch.deb fnn_${version}_$arch.deb "
if [ -e "$fnn_build/lib/fnn/fnn_comm_mpi.so" ]; then  # FNN_MPI found Open MPI (comm/)
  mpi_deb=$packages/fnn-mpi_${version}_$arch.deb
  expected="fnn-dev_${version}_$arch.deb fnn-mpi_${version}_$arch.deb fnn_${version}_$arch.deb "
fi
debs=("$fnn_deb" "$dev_deb" ${mpi_deb:+"$mpi_deb"})

step "1. cpack -G DEB -B $packages"
run "cpack" "${CPACK:-cpack}" -G DEB -B "$packages" --config "$fnn_build/CPackConfig.cmake"
built=$(cd "$packages" && ls ./*.deb | sed 's|^\./||' | sort | tr '\n' ' ')
[ "$built" = "$expected" ] ||
  fail "cpack: expected $expected, made: $built" \
       "(an install() rule without COMPONENT runtime, development or mpi makes a package of its own)"

step "2. dpkg-deb -I: names and dependencies"
# field DEB NAME: the control field NAME of DEB.
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$fnn_deb" Package)" = fnn ] || fail "$fnn_deb: Package is '$(field "$fnn_deb" Package)'"
[ "$(field "$dev_deb" Package)" = fnn-dev ] || fail "$dev_deb: Package is '$(field "$dev_deb" Package)'"
for deb in "${debs[@]}"; do
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
! grep -q 'fnn_comm_mpi' "$tmp/fnn.files" || fail "the fnn package holds the MPI module"
both=$(comm -12 "$tmp/fnn.files" "$tmp/fnn-dev.files")
[ -z "$both" ] || fail "files in both fnn and fnn-dev (dpkg would refuse the second): $both"
if [ -n "$mpi_deb" ]; then
  [ "$(field "$mpi_deb" Package)" = fnn-mpi ] ||
    fail "$mpi_deb: Package is '$(field "$mpi_deb" Package)'"
  dpkg-deb -I "$mpi_deb" >"$log" 2>&1 || fail "dpkg-deb -I $mpi_deb"
  expect "fnn-mpi's Depends" "fnn (= $version)"
  field "$mpi_deb" Depends | tr ',' '\n' | grep -q '^ *libopenmpi[0-9]*\( \|$\)' ||
    fail "fnn-mpi's Depends lacks Open MPI's library: $(field "$mpi_deb" Depends)"
  files "$mpi_deb" >"$tmp/fnn-mpi.files"
  [ "$(cat "$tmp/fnn-mpi.files")" = "./usr/$libdir/fnn/fnn_comm_mpi.so" ] ||
    fail "fnn-mpi should hold ./usr/$libdir/fnn/fnn_comm_mpi.so alone," \
         "holds: $(cat "$tmp/fnn-mpi.files")"
  ! grep -q fnn_comm_mpi "$tmp/fnn-dev.files" || fail "the fnn-dev package holds the MPI module"
fi

if command -v apt-get >/dev/null; then  # what `apt install ./fnn_*.deb ./fnn-dev_*.deb` would do
  run "apt-get install --simulate of the packages" apt-get install --simulate "${debs[@]}"
  expect "apt-get install --simulate of the packages" "Conf fnn-dev ($version"
  [ -z "$mpi_deb" ] || expect "apt-get install --simulate of the packages" "Conf fnn-mpi ($version"
fi

step "3. dpkg-deb -x the packages into $root"
mkdir "$root"
for deb in "${debs[@]}"; do
  run "unpacking $deb" dpkg-deb -x "$deb" "$root"
done
run "the unpacked binaries' RUNPATH" bash "$check_runpath" "$root"

step "4. build the example plugin against $root only"
build_example "$prefix" "$libdir"

step "5. the unpacked fnn gradcheck swish --plugin-dir $plugin_build"
gradcheck_example "$prefix/bin/fnn"
run "the unpacked fnn plugins" "$prefix/bin/fnn" plugins
expect "the unpacked fnn's own plugins" "from $prefix/$libdir/fnn/plugins/fnn_dense.so"

step "all checks passed"
