#!/usr/bin/env bash
# Builds oneTBB with ThreadSanitizer into a prefix and prints that prefix. Debian's libtbb is not
# instrumented, so TSan reports false races in oneTBB's inlined headers on every parallel loop;
# built from Debian's own source package (the same version as libtbb-dev) with TBB_SANITIZE=thread
# it gives none, and a real race in a loop body is still caught. The source list is handed to apt
# through options, so the machine's apt sources stay as they are. A finished prefix is reused.
#
#   prefix=$(bash scripts/ci-tbb-tsan.sh [DIR])    # DIR default: build-tsan-tbb
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(realpath -m "${1:-build-tsan-tbb}")
prefix=$work/install
if [ -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ]; then
  echo "$prefix"
  exit 0
fi

. scripts/install-missing.sh
install_missing dpkg-dev xz-utils

mkdir -p "$work/lists/partial" "$work/src"
. /etc/os-release
cat >"$work/sources.list" <<LIST
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $VERSION_CODENAME main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security $VERSION_CODENAME-security main
LIST
apt_options=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=-
             -o "Dir::State::Lists=$work/lists" -o APT::Get::List-Cleanup=0 -qq)
# The version of the installed headers, so library and headers match.
version=$(dpkg-query -W -f='${Version}' libtbb-dev)
apt-get "${apt_options[@]}" update >&2
(cd "$work/src" && apt-get "${apt_options[@]}" source "onetbb=$version" >&2 2>/dev/null \
   || apt-get "${apt_options[@]}" source onetbb >&2)
source_dir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'onetbb-*' | head -1)

# TBB_STRICT=OFF: GCC 12 warns on atomic_thread_fence under TSan and oneTBB builds with -Werror.
# tbbmalloc is built too: libtbb loads it at run time, and an uninstrumented allocator handing
# memory from thread to thread would look like races.
cmake -S "$source_dir" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DTBB_SANITIZE=thread -DTBB_STRICT=OFF -DTBB_TEST=OFF \
  -DTBB_EXAMPLES=OFF -DTBBMALLOC_PROXY_BUILD=OFF -DTBB_ENABLE_IPO=OFF >&2
cmake --build "$work/build" -j"$(nproc)" >&2
cmake --install "$work/build" >&2
echo "$prefix"
