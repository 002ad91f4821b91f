#!/usr/bin/env bash
# Builds the bench-only librdkafka.so.1 for `meterd broker`: Debian's
# librdkafka 2.0.2 source (the version meterd links) with two changes to the
# mock cluster:
# - per-partition limits raised from 5 MiB / 100,000 batches to 8 GiB / 100 M,
#   so that every contender reads the same 1 M-record topic (SPEC section 6);
# - its group coordinator completes a SyncGroup round only once every member
#   sent its SyncGroup request. The stock mock completes it as soon as the
#   leader's request brings the assignments, so a follower whose request comes
#   second is answered INVALID_REQUEST and rejoins, and its partitions start a
#   rebalance (session.timeout.ms - 1 s) later; Apache Kafka answers a late
#   follower with its assignment (BENCHMARKS.md, end-to-end round 15).
# Only the broker process loads it (LD_LIBRARY_PATH); clients keep the system
# library. Cached in bench/.cache/lib; a rerun with the library present is a no-op.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="$here/.cache"
lib="$cache/lib/librdkafka.so.1"
stamp="$cache/lib/patch-v2"
if [[ -f "$lib" && -f "$stamp" ]]; then
  echo "bench: bench-only librdkafka cached at $lib"
  exit 0
fi

apt_get() { if [[ "$(id -u)" == 0 ]]; then apt-get "$@"; else sudo apt-get "$@"; fi; }
for tool in dpkg-source:dpkg-dev gcc:gcc make:make; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    echo "bench: installing ${tool##*:}"
    DEBIAN_FRONTEND=noninteractive apt_get install -y -qq "${tool##*:}" >/dev/null
  fi
done

# A private deb-src list, so the system's apt configuration stays untouched.
apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.d" "$cache/src"
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
echo "deb-src http://deb.debian.org/debian $codename main" > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.d"
          -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Get::List-Cleanup=0")
version="$(dpkg-query -W -f='${Version}' librdkafka1 2>/dev/null || true)"
echo "bench: fetching Debian's librdkafka source ${version:+(=$version, the installed version)}"
apt-get "${apt_opts[@]}" update -qq
rm -rf "$cache/src"/librdkafka*
(cd "$cache/src" && apt-get "${apt_opts[@]}" source -qq "librdkafka${version:+=$version}" >/dev/null 2>&1)
src="$(find "$cache/src" -maxdepth 1 -type d -name 'librdkafka-*' | head -1)"
[[ -n "$src" ]] || { echo "bench: apt-get source librdkafka produced no source tree" >&2; exit 1; }

mock="$src/src/rdkafka_mock.c"
grep -q 'mpart->max_size = 1024 \* 1024 \* 5;' "$mock" && grep -q 'mpart->max_cnt  = 100000;' "$mock" || {
  echo "bench: $mock does not hold the expected mock limits; cannot patch" >&2; exit 1; }
sed -i 's/mpart->max_size = 1024 \* 1024 \* 5;/mpart->max_size = (size_t)8 * 1024 * 1024 * 1024;/;
        s/mpart->max_cnt  = 100000;/mpart->max_cnt  = 100000000;/' "$mock"

cgrp="$src/src/rdkafka_mock_cgrp.c"
# perl-base is part of every Debian system.
perl -0pi -e 's{(static void rd_kafka_mock_cgrp_sync_check\(rd_kafka_mock_cgrp_t \*mcgrp\) \{.*?if \(mcgrp->assignment_cnt < mcgrp->member_cnt\)\s*return;\n)}{$1        { /* meterd bench patch: wait for every member'"'"'s SyncGroup request */\n                rd_kafka_mock_cgrp_member_t *pending;\n                TAILQ_FOREACH(pending, &mcgrp->members, link) {\n                        if (!pending->resp)\n                                return;\n                }\n        }\n}s' "$cgrp"
grep -q 'meterd bench patch: wait for every member' "$cgrp" || {
  echo "bench: $cgrp does not hold the expected SyncGroup check; cannot patch" >&2; exit 1; }

echo "bench: building librdkafka.so.1 (a couple of minutes)"
# configure.log is mklove's own log name: keep ours elsewhere.
(cd "$src" && ./configure --disable-ssl --disable-gssapi --disable-curl --disable-zstd --disable-zlib --disable-lz4-ext \
  > "$cache/src/configure.out" 2>&1) || { echo "bench: configure failed, see $cache/src/configure.out" >&2; exit 1; }
make -C "$src/src" -j"$(nproc)" librdkafka.so.1 > "$cache/src/make.out" 2>&1 || {
  echo "bench: make failed, see $cache/src/make.out" >&2; exit 1; }
mkdir -p "$cache/lib"
# A rename, so that a broker still running the previous build keeps its file.
cp "$src/src/librdkafka.so.1" "$lib.new" && mv -f "$lib.new" "$lib"
touch "$stamp"
echo "bench: bench-only librdkafka at $lib"
