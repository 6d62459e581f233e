#!/usr/bin/env bash
# tests/fuzz/build.sh [OUTDIR] [TARGET...]: builds the libFuzzer targets (tests/fuzz/
# fuzz_*.cpp) with clang++ -fsanitize=fuzzer,address,undefined against the project's
# own sources, into OUTDIR (default <srcdir>/build/tests/fuzz).
#
# Independent of ./configure and of the normal `make` (which never needs clang): the
# library's sources are read from libsocialauth_a_SOURCES in Makefile.am, compiled once
# into OUTDIR/obj and archived, so each target links only the objects it uses. The
# build is incremental (GNU make with dependency files): after a change only what
# depends on it is compiled again.
#
# A target that needs a header the tree does not have yet names it in a line
#   // fuzz-requires: src/providers/jwt.hpp
# and is left out with a notice until that file exists.
#
# Environment: FUZZ_CXX (default clang++-14, else clang++), FUZZ_JOBS (make -j,
# default 1: the machine is shared), FUZZ_CXXFLAGS (added).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcdir=$(cd "$here/../.." && pwd -P)
out=${1:-$srcdir/build/tests/fuzz}
[ $# -gt 0 ] && shift
mkdir -p "$out"
out=$(cd "$out" && pwd -P)

cxx=${FUZZ_CXX:-}
if [ -z "$cxx" ]; then
    for c in clang++-14 clang++; do
        command -v "$c" >/dev/null 2>&1 && { cxx=$c; break; }
    done
fi
[ -n "$cxx" ] || { echo "fuzz/build: clang++ not found: install the Debian packages clang-14 libclang-rt-14-dev (script/bootstrap)" >&2; exit 1; }
# libFuzzer's runtime comes with libclang-rt-14-dev
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
     "$cxx" -x c++ -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    echo "fuzz/build: $cxx cannot link -fsanitize=fuzzer: install the Debian package libclang-rt-14-dev" >&2
    exit 1
fi

# The library's .cpp files, as Makefile.am lists them.
lib_sources=$(sed -n '/^libsocialauth_a_SOURCES *=/,/^[[:space:]]*$/p' "$srcdir/Makefile.am" |
    tr -s '[:space:]' '\n' | grep '\.cpp$' | tr '\n' ' ')
[ -n "$lib_sources" ] || { echo "fuzz/build: no libsocialauth_a_SOURCES in Makefile.am" >&2; exit 1; }

targets=()
wanted=("$@")
for f in "$here"/fuzz_*.cpp; do
    t=$(basename "$f" .cpp)
    if [ ${#wanted[@]} -gt 0 ] && ! printf '%s\n' "${wanted[@]}" | grep -qx "$t"; then continue; fi
    missing=
    while read -r req; do
        [ -e "$srcdir/$req" ] || missing="$missing $req"
    done < <(sed -n 's|^// fuzz-requires: *||p' "$f")
    if [ -n "$missing" ]; then
        echo "fuzz/build: NOT BUILT $t: needs$missing (not in the tree yet)"
        continue
    fi
    targets+=("$t")
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz/build: no target to build" >&2; exit 1; }

pkgs="fcgi cgicc jsoncpp libcurl openssl"
# shellcheck disable=SC2086
cflags=$(pkg-config --cflags $pkgs)
# shellcheck disable=SC2086
libs="$(pkg-config --libs $pkgs) -lmysqlcppconn"

make -s -f "$here/fuzz.mk" -j"${FUZZ_JOBS:-1}" \
    SRCDIR="$srcdir" OUT="$out" CXX="$cxx" \
    LIB_SOURCES="$lib_sources" TARGETS="${targets[*]}" \
    PKG_CFLAGS="$cflags" PKG_LIBS="$libs" EXTRA_CXXFLAGS="${FUZZ_CXXFLAGS:-}"
printf '%s\n' "${targets[@]}" >"$out/targets"
echo "fuzz/build: built ${targets[*]} in $out"
