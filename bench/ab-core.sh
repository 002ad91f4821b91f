#!/usr/bin/env bash
# Two `pipeline-throughput` binaries (the core benchmark of `make bench-core`)
# run at the same time, one per core, RUNS times; prints each pair's core and
# extraction rates and B/A.
#
# This VM's speed moves with its host by ±10-30% within minutes, so runs one
# after the other compare different phases of it. Run side by side, both
# binaries meet the same phase; a difference that holds across the pairs is
# the code's. (Each has a core to itself only on a 2-vCPU machine or larger,
# and they share the memory bus and cache: compare B/A, not the absolute rates.)
#
#   bench/ab-core.sh A_BINARY B_BINARY [RUNS] [pipeline-throughput options...]
#   e.g. cp Benchmarks/.build/release/pipeline-throughput /tmp/pt-before
#        (change, rebuild) bench/ab-core.sh /tmp/pt-before Benchmarks/.build/release/pipeline-throughput 3
#        bench/ab-core.sh /tmp/pt-before Benchmarks/.build/release/pipeline-throughput 3 --repartition 1
set -euo pipefail

if [[ $# -lt 2 ]]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
absolute() { [[ "$1" = /* ]] && echo "$1" || echo "$PWD/$1"; }
a="$(absolute "$1")"
b="$(absolute "$2")"
runs="${3:-3}"
shift $(( $# >= 3 ? 3 : 2 ))
for binary in "$a" "$b"; do
  [[ -x "$binary" ]] || { echo "ab-core: $binary is not an executable" >&2; exit 2; }
done
out="$(mktemp -d /tmp/ab-core.XXXXXX)"
trap 'rm -rf "$out"' EXIT
# The malloc interposer's library sits next to the benchmark binaries.
export LD_LIBRARY_PATH="$root/Benchmarks/.build/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

rate() { grep "$2" "$1" | grep -o '[0-9]* events/s' | head -1 | grep -o '[0-9]*' || true; }

printf '%-4s %12s %12s %7s %14s %14s\n' run "A events/s" "B events/s" "B/A" "A extract" "B extract"
for run in $(seq 1 "$runs"); do
  "$a" --meterd-only --baseline-events 0 --naive-events 0 "$@" > "$out/a" 2>&1 &
  pid_a=$!
  "$b" --meterd-only --baseline-events 0 --naive-events 0 "$@" > "$out/b" 2>&1 &
  pid_b=$!
  wait "$pid_a" || { tail -5 "$out/a" >&2; exit 1; }
  wait "$pid_b" || { tail -5 "$out/b" >&2; exit 1; }
  core_a="$(rate "$out/a" 'meterd core pipeline')"; core_b="$(rate "$out/b" 'meterd core pipeline')"
  [[ -n "$core_a" && -n "$core_b" ]] || { echo "ab-core: no rate in the output" >&2; tail -5 "$out/a" "$out/b" >&2; exit 1; }
  printf '%-4s %12s %12s %7s %14s %14s\n' "$run" "$core_a" "$core_b" \
    "$(awk -v a="$core_a" -v b="$core_b" 'BEGIN { printf "%.3f", b / a }')" \
    "$(rate "$out/a" 'extract alone')" "$(rate "$out/b" 'extract alone')"
  hash_a="$(grep -o 'meterd counters.*hash=[0-9a-f]*' "$out/a" | grep -o 'hash=[0-9a-f]*')"
  hash_b="$(grep -o 'meterd counters.*hash=[0-9a-f]*' "$out/b" | grep -o 'hash=[0-9a-f]*')"
  [[ "$hash_a" == "$hash_b" ]] || echo "ab-core: outputs differ ($hash_a against $hash_b)"
done
