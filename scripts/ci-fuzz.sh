#!/usr/bin/env bash
# CI stage: builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) and runs each for a
# bounded time from the committed seed corpus, the bundled examples and the bad-input corpus.
# Any crash, leak, timeout or exception other than nn::InputError fails the stage.
#
#   bash scripts/ci-fuzz.sh [SECONDS_PER_TARGET]     # default 60
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-fuzz

. scripts/install-missing.sh
install_missing clang libclang-rt-dev

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DNNSWEEP_SANITIZE=address,undefined \
  -DCMAKE_CXX_FLAGS="-fno-sanitize-recover=all" -DNNSWEEP_BUILD_FUZZ=ON \
  -DNNSWEEP_BUILD_TESTS=OFF -DNNSWEEP_BUILD_BENCH=OFF -DNNSWEEP_WITH_MPI=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target sweep_fuzz csv_fuzz model_fuzz

# The first directory collects what the run finds; the others are read-only seeds.
run() {
  local target=$1
  shift
  local found=$build/corpus-$target log=$build/$target.log status=0
  mkdir -p "$found" "$build/artifacts"
  "$build/fuzz/$target" "$found" "$@" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 >"$log" 2>&1 || status=$?
  echo "$target: $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$') executions in ${seconds}s, $(ls "$found" | wc -l) new inputs kept"
  # libFuzzer exits non-zero and leaves a crash-/leak-/timeout- file on any finding.
  if [ "$status" -ne 0 ] || compgen -G "$build/artifacts/$target-*" >/dev/null; then
    tail -80 "$log" >&2
    echo "$target: failed (exit $status)" >&2
    exit 1
  fi
}
run sweep_fuzz fuzz/corpus/sweep sweeps/examples tests/bad_inputs
# The bundled data files reach 125 KB; mutating inputs that long runs a few executions a
# second, so the fuzzer works on their first 16 KiB.
run csv_fuzz fuzz/corpus/csv sweeps/examples/data tests/bad_inputs/data -max_len=16384
run model_fuzz fuzz/corpus/model
