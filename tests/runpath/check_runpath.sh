#!/usr/bin/env bash
# Fails when an ELF executable or shared object under the given directories has an RPATH or
# RUNPATH entry that depends on the directory it is run from: an empty entry (the dynamic loader
# reads it as the current directory) or a relative one that does not start with $ORIGIN. Such an
# entry lets a library planted where a user runs fnn (libtbb.so.12, say) be loaded, and run.
# CMake's own build-tree RPATH ends in such an empty entry for every target it later rewrites at
# install time; see "RUNPATH" in the top-level CMakeLists.txt.
# usage: check_runpath.sh DIR...   (CMakeFiles directories are not searched)
# Exit 0: all entries are absolute or $ORIGIN-relative; 1: some are not, or no ELF file was
# found; 77 (ctest's skip): readelf is missing, except under CI=true, where that fails (1).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 DIR..." >&2
  exit 2
fi
if ! command -v readelf >/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "check_runpath: FAILED: readelf is missing (install binutils)" >&2
    exit 1
  fi
  echo "check_runpath: skipped: readelf is missing (install binutils)"
  exit 77
fi

# Prints the entries of FILE's RPATH and RUNPATH that are neither absolute nor $ORIGIN-relative,
# one per line as "TAG 'ENTRY'".
bad_entries() {
  readelf -d "$1" | sed -n 's/^.*(\(RPATH\|RUNPATH\)).*: \[\(.*\)\]$/\1 \2/p' |
    while read -r tag value; do
      awk -F: -v tag="$tag" -v q="'" '{
        if (NF == 0) print tag " " q q  # an empty string: one empty entry
        for (i = 1; i <= NF; i++)
          if ($i !~ /^\// && $i !~ /^\$(ORIGIN|\{ORIGIN\})(\/|$)/) print tag " " q $i q
      }' <<<"$value"
    done
}

checked=0
failed=0
while IFS= read -r -d '' file; do
  [ "$(head -c 4 "$file" | tr -d '\0')" = $'\x7fELF' ] || continue
  checked=$((checked + 1))
  bad=$(bad_entries "$file")
  if [ -n "$bad" ]; then
    failed=$((failed + 1))
    echo "check_runpath: $file: $(tr '\n' ' ' <<<"$bad")(empty or relative entry)" >&2
  fi
done < <(find "$@" -name CMakeFiles -prune -o -type f \
              \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) -print0 | sort -z)

if [ "$checked" -eq 0 ]; then
  echo "check_runpath: FAILED: no executable or shared object found in $*" >&2
  exit 1
fi
if [ "$failed" -ne 0 ]; then
  echo "check_runpath: FAILED: $failed of $checked binaries would load libraries from a" \
       "directory relative to where they are run" >&2
  exit 1
fi
echo "check_runpath: $checked binaries, every RPATH/RUNPATH entry absolute or \$ORIGIN-relative"
