#!/usr/bin/env bash
# CI stage: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer, then the
# tests that run threads (the e2e runs with --threads 2 and 4, resume, kills, interrupts, shards)
# under ThreadSanitizer, linked against a oneTBB built with TSan (scripts/ci-tbb-tsan.sh).
# Every sanitizer writes its reports to files, including those of the nnsweep processes the e2e
# tests start, and any report fails the stage: a report in a child whose exit code a test
# tolerates still counts. Ends with ctest's summary line.
#
#   bash scripts/ci-sanitizers.sh [asan|tsan|all]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
jobs=$(nproc)
root=$PWD
# The kill-and-resume tests restart the binary dozens of times; they check file integrity, not
# memory or threads, and take minutes under a sanitizer, so the plain build alone runs them.
slow='Killed'

# Fails when a sanitizer wrote any report into $1.
check_reports() {
  if compgen -G "$1/*" >/dev/null; then
    echo "sanitizer reports in $1:" >&2
    for f in "$1"/*; do
      echo "== $f" >&2
      head -60 "$f" >&2
    done
    exit 1
  fi
}

if [ "$which" = asan ] || [ "$which" = all ]; then
  reports=$root/build-asan/sanitizer-reports
  rm -rf "$reports" && mkdir -p "$reports"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DNNSWEEP_SANITIZE=address,undefined -DCMAKE_CXX_FLAGS="-fno-sanitize-recover=all" \
    -DNNSWEEP_BUILD_BENCH=OFF -DNNSWEEP_WITH_MPI=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -E "$slow" | tee build-asan/ctest.log
  check_reports "$reports"
fi

if [ "$which" = tsan ] || [ "$which" = all ]; then
  reports=$root/build-tsan/sanitizer-reports
  tbb_prefix=$(bash scripts/ci-tbb-tsan.sh "${NNSWEEP_TSAN_TBB_DIR:-build-tsan-tbb}")
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DNNSWEEP_SANITIZE=thread -DNNSWEEP_BUILD_BENCH=OFF -DNNSWEEP_WITH_MPI=OFF -DTBB_DIR="$tbb_prefix/lib/cmake/TBB" \
    >/dev/null
  # Only what runs threads: the binary and the end-to-end tests that drive it.
  cmake --build build-tsan -j"$jobs" --target nnsweep e2e_tests
  rm -rf "$reports" && mkdir -p "$reports"
  TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1" \
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R '^(Run|Shards|Faults)\.' -E "$slow" \
    | tee build-tsan/ctest.log
  check_reports "$reports"
fi
