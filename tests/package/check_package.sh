#!/usr/bin/env bash
# The installed package, as a user gets it: installs BUILD_DIR to a temporary prefix, builds and
# runs tests/package/consumer against it (find_package(nnsweep CONFIG), nnsweep::nn), tries the
# bash completion, then makes the .deb packages with cpack and checks what they declare and hold.
# Usage: tests/package/check_package.sh BUILD_DIR   (a built tree; run by ctest as Package.*)
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:?usage: check_package.sh BUILD_DIR}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

fail() {
  echo "check_package: FAILED: $*" >&2
  exit 1
}
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }

lib=$(cache CMAKE_INSTALL_LIBDIR)

echo "== cmake --install"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/nnsweep "$lib"/libnnsweep_{nn,sweeps,results,runner}.a \
  include/nnsweep/{nn/train.h,sweeps/spec.h,results/csv.h,runner/commands.h} \
  "$lib"/cmake/nnsweep/nnsweep{Config,ConfigVersion,Targets}.cmake \
  share/bash-completion/completions/nnsweep; do
  [[ -e $prefix/$f ]] || fail "not installed: $f"
done
"$prefix/bin/nnsweep" --version

echo "== a consumer project against the installed copy"
launcher=$(cache CMAKE_CXX_COMPILER_LAUNCHER)
cmake -S "$source_dir/tests/package/consumer" -B "$tmp/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$(cache CMAKE_CXX_COMPILER)" \
  ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out=$("$tmp/consumer/consumer") || fail "the consumer failed: $out"
echo "$out"
[[ $out =~ ^outcome\ [a-z_]+,\ test\ accuracy\ [0-9.]+$ ]] || fail "unexpected output: $out"
# nn/'s ABI-relevant definition reaches its users; the project's warning flags do not.
grep -q 'EIGEN_MAX_ALIGN_BYTES=64' "$tmp/consumer/compile_commands.json" ||
  fail "the consumer was compiled without EIGEN_MAX_ALIGN_BYTES=64"
! grep -q 'Wpedantic' "$tmp/consumer/compile_commands.json" ||
  fail "the project's warning flags leaked into the consumer"

echo "== bash completion"
complete_line() {  # prints the completions of the words given, the last one being completed
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
           _nnsweep; printf "%s\n" "${COMPREPLY[@]}"' _ \
    "$prefix/share/bash-completion/completions/nnsweep" "$@"
}
[[ $(complete_line nnsweep r | tr '\n' ' ') == "run report " ]] || fail "completing 'nnsweep r'"
[[ $(complete_line nnsweep run --s | tr '\n' ' ') == "--shard --save-models " ]] ||
  fail "completing 'nnsweep run --s'"
[[ $(complete_line nnsweep run --save-models b) == best ]] || fail "completing --save-models"
[[ $(complete_line nnsweep report out --set convergence.st | tr '\n' ' ') == \
  "convergence.still_falling= convergence.stall= " ]] || fail "completing report --set"
(cd "$source_dir/sweeps/examples" &&
  [[ $(complete_line nnsweep plan halv) == halving.yaml ]]) || fail "completing a sweep file"

echo "== cpack -G DEB"
command -v dpkg-deb >/dev/null || fail "no dpkg-deb (apt-get install dpkg-dev)"
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/deb" >/dev/null) ||
  fail "cpack -G DEB"
deb=$(ls "$tmp"/deb/nnsweep_*.deb)
dev=$(ls "$tmp"/deb/nnsweep-dev_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "$(basename "$deb") Depends: $depends"
for package in libtbb12 libtbbmalloc2 libyaml-cpp libboost-program-options libfmt libpng16 libstdc++6; do
  [[ $depends == *"$package"* ]] || fail "$(basename "$deb") does not depend on $package"
done
[[ $depends != *mpi* ]] || fail "$(basename "$deb") depends on MPI, which is optional"
files=$(dpkg-deb -c "$deb")
for f in ./usr/bin/nnsweep ./usr/share/bash-completion/completions/nnsweep; do
  grep -q " $f\$" <<<"$files" || fail "$(basename "$deb") lacks $f"
done
if [[ -n $(cache HELP2MAN | grep -v NOTFOUND) ]]; then
  grep -q ' ./usr/share/man/man1/nnsweep.1$' <<<"$files" || fail "$(basename "$deb") lacks the man page"
fi
[[ $(dpkg-deb -f "$dev" Depends) == *libpng-dev* ]] ||
  fail "$(basename "$dev") does not depend on libpng-dev (nnsweep::results links libpng)"
dev_files=$(dpkg-deb -c "$dev")
for f in "./usr/$lib/cmake/nnsweep/nnsweepConfig.cmake" ./usr/include/nnsweep/nn/train.h \
  "./usr/$lib/libnnsweep_nn.a"; do
  grep -q " $f\$" <<<"$dev_files" || fail "$(basename "$dev") lacks $f"
done
if [[ -e $build/runner/libnnsweep_mpi.so ]]; then
  mpi=$(ls "$tmp"/deb/nnsweep-mpi_*.deb)
  dpkg-deb -c "$mpi" | grep -q ' ./usr/bin/libnnsweep_mpi.so$' || fail "no MPI module in $mpi"
  [[ $(dpkg-deb -f "$mpi" Depends) == *libopenmpi* ]] || fail "$(basename "$mpi") lacks Open MPI"
fi
echo "check_package: OK"
