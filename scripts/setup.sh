#!/usr/bin/env bash
# The whole set-up in one command: installs the Debian packages nnsweep needs (only those
# missing; safe to run again), builds, then either runs the bundled lesson sweep or the tests.
#
#   bash scripts/setup.sh example   # build, run sweeps/examples/lesson.yaml, print its table
#   bash scripts/setup.sh test      # build, run the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-example}
build_dir=${NNSWEEP_BUILD_DIR:-build}
packages=(cmake make g++ pkg-config libeigen3-dev libtbb-dev libyaml-cpp-dev
          libboost-program-options-dev libfmt-dev libpng-dev libgtest-dev libgmock-dev libbenchmark-dev
          help2man)
# The tests also read the output files back with pandas, as users do.
[ "${1:-example}" = test ] && packages+=(python3-pandas)
# The analysis of variance (results/anova.h) is checked against statsmodels' anova_lm.
[ "${1:-example}" = test ] && packages+=(python3-statsmodels)
# MPI is optional for nnsweep; the tests run the MPI backend, so they install it.
[ "${1:-example}" = test ] && packages+=(libopenmpi-dev openmpi-bin)
# The package test makes the .deb packages: dpkg-shlibdeps declares their dependencies.
[ "${1:-example}" = test ] && packages+=(dpkg-dev)

. scripts/install-missing.sh
install_missing "${packages[@]}"

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

case "$mode" in
  example)
    out="runs/lesson-$(date +%Y%m%d-%H%M%S)"
    "$build_dir/runner/nnsweep" run sweeps/examples/lesson.yaml --out "$out"
    ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
    ;;
  *)
    echo "usage: bash scripts/setup.sh example|test" >&2
    exit 2
    ;;
esac
