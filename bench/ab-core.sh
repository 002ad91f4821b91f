#!/usr/bin/env bash
# Two `pipeline-throughput` binaries (the core benchmark of `make bench-core`)
# run at the same time, one per core, RUNS times; prints each pair's core and
# extraction rates and B/A.
#
# This VM's speed moves with its host by ±10-30% within minutes, so runs one
# after the other compare different phases of it. Run side by side, both
# binaries meet the same phase; a difference that holds across the pairs is
# the code's. Their warm-ups take different times, so each stops before its
# measured segment (on the FIFO of BENCH_PERF_CONTROL, whose open blocks until
# a reader comes) and both are let go at once. (Each has a core to itself only
# on a 2-vCPU machine or larger, and they share the memory bus and cache:
# compare B/A, not the absolute rates.)
#
#   bench/ab-core.sh A_BINARY B_BINARY [RUNS] [pipeline-throughput options...]
#   e.g. cp Benchmarks/.build/release/pipeline-throughput /tmp/pt-before
#        (change, rebuild) bench/ab-core.sh /tmp/pt-before Benchmarks/.build/release/pipeline-throughput 3
#        bench/ab-core.sh /tmp/pt-before Benchmarks/.build/release/pipeline-throughput 3 --repartition 1
set -euo pipefail

source "$(dirname "$0")/ab-arguments.sh"
ab_arguments ab-core 3 "$@"
runs="$count"
set -- ${rest[@]+"${rest[@]}"}
out="$(mktemp -d /tmp/ab-core.XXXXXX)"
trap 'rm -rf "$out"' EXIT
# The malloc interposer's library sits next to the benchmark binaries.
export LD_LIBRARY_PATH="$root/Benchmarks/.build/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

rate() { grep "$2" "$1" | grep -o '[0-9]* events/s' | head -1 | grep -o '[0-9]*' || true; }

printf '%-4s %12s %12s %7s %14s %14s\n' run "A events/s" "B events/s" "B/A" "A extract" "B extract"
for run in $(seq 1 "$runs"); do
  rm -f "$out/fifo-a" "$out/fifo-b"
  mkfifo "$out/fifo-a" "$out/fifo-b"
  BENCH_PERF_CONTROL="$out/fifo-a" "$a" --meterd-only --baseline-events 0 --naive-events 0 "$@" > "$out/a" 2>&1 &
  pid_a=$!
  BENCH_PERF_CONTROL="$out/fifo-b" "$b" --meterd-only --baseline-events 0 --naive-events 0 "$@" > "$out/b" 2>&1 &
  pid_b=$!
  # Both warmed up: each blocks opening its FIFO until a reader opens it.
  until [[ "$(cat /proc/$pid_a/wchan 2>/dev/null)" == wait_for_partner && "$(cat /proc/$pid_b/wchan 2>/dev/null)" == wait_for_partner ]]; do
    kill -0 "$pid_a" 2>/dev/null && kill -0 "$pid_b" 2>/dev/null || { tail -5 "$out/a" "$out/b" >&2; exit 1; }
    sleep 0.05
  done
  cat "$out/fifo-a" > /dev/null &
  cat "$out/fifo-b" > /dev/null &
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
