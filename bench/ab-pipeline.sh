#!/usr/bin/env bash
# Alternating end-to-end runs of two `meterd` binaries (PAIRS pairs, A
# first in odd pairs and B first in even ones) on the bench-only broker,
# one meterd run per pipeline-e2e call, and a summary: mean events/s and
# CPU seconds of each, and how many pairs B won.
#
# This VM's throughput moves by ±10% from one minute to the next, so a
# difference is only believable when it holds across alternating pairs
# measured in the same minutes (BENCHMARKS.md, "End-to-end pipeline").
#
#   bench/ab-pipeline.sh A_METERD B_METERD [PAIRS] [pipeline-e2e options...]
#   e.g. bench/ab-pipeline.sh /tmp/meterd-before .build/release/meterd 6
#        bench/ab-pipeline.sh m m 4 --meterd-property queued.max.messages.kbytes=32768
#
# Options after PAIRS go to both runs; `make bench-pipeline` must have built
# the broker library (bench/.cache/lib) and Benchmarks' pipeline-e2e.
# `spread` is the greatest distance in event time between the input
# partitions while stage 1 read (seconds); AB_KEEP_LOGS=1 keeps each run's
# logs and event-time trace (meterd-run.progress.tsv) and prints where.
# AB_A_ARGS / AB_B_ARGS add pipeline-e2e options to one side only, to
# compare settings of one binary, e.g.
#   AB_B_ARGS="--meterd-property fetch.wait.max.ms=10" bench/ab-pipeline.sh m m 6
set -euo pipefail

source "$(dirname "$0")/ab-arguments.sh"
ab_arguments ab-pipeline 6 "$@"
pairs="$count"
set -- ${rest[@]+"${rest[@]}"}
e2e="$root/Benchmarks/.build/release/pipeline-e2e"
[[ -x "$e2e" ]] || { echo "ab-pipeline: build it first: (cd Benchmarks && swift build -c release --product pipeline-e2e)" >&2; exit 2; }
[[ -f "$root/bench/.cache/lib/librdkafka.so.1" ]] || { echo "ab-pipeline: run bench/build-broker.sh first" >&2; exit 2; }
threads="${BENCH_METERD_THREADS:-$(n=$(nproc); (( n > 6 )) && n=6; echo "$n")}"
logs="$(mktemp -d /tmp/ab-pipeline.XXXXXX)"

# One meterd run: prints "events_per_second cpu_seconds late_events spread_seconds peak_rss_mib".
run() {
  local binary="$1" label="$2"
  shift 2
  local out
  out="$(cd "$root/Benchmarks" && timeout 600 "$e2e" --meterd "$binary" --meterd-threads "$threads" --meterd-split-stages \
    --broker-lib "$root/bench/.cache/lib" --input-partitions 6 --internal-partitions 6 --no-write --repetitions 1 \
    --logs "$logs/$label" "$@" 2>&1)" || { echo "$out" | tail -20 >&2; echo "ab-pipeline: a run of $binary failed" >&2; exit 1; }
  local rate cpu late spread rss
  rate="$(echo "$out" | grep 'meterd run end to end' | grep -o '\*\*[0-9,]*\*\*' | tr -d '*,')"
  cpu="$(echo "$out" | grep 'CPU seconds' | awk -F'|' '{print $3}' | awk -F'/' '{gsub(/ /, "", $1); print $1}')"
  late="$(echo "$out" | grep 'late events accepted' | awk -F'|' '{print $3}' | awk -F'/' '{gsub(/[ ,]/, "", $2); print $2}')"
  spread="$(echo "$out" | grep 'greatest spread' | awk -F'|' '{gsub(/ /, "", $3); print $3}')"
  rss="$(echo "$out" | grep 'peak RSS of meterd' | awk -F'|' '{print $3}' | tr -dc '0-9')"
  [[ -n "$rate" && -n "$cpu" ]] || { echo "$out" | tail -20 >&2; echo "ab-pipeline: no figures in the output" >&2; exit 1; }
  echo "$rate $cpu ${late:-?} ${spread:-?} ${rss:-0}"
}

printf '%-5s %-4s %12s %8s %10s %8s %9s\n' pair run "events/s" "CPU s" "late" "spread" "RSS MiB"
results=()
run_a() {
  figures="$(run "$a" "a$pair" ${AB_A_ARGS:-} "$@")"
  read -r rate_a cpu_a late_a spread_a rss_a <<< "$figures"
  printf '%-5s %-4s %12s %8s %10s %8s %9s\n' "$pair" A "$rate_a" "$cpu_a" "$late_a" "$spread_a" "$rss_a"
}
run_b() {
  figures="$(run "$b" "b$pair" ${AB_B_ARGS:-} "$@")"
  read -r rate_b cpu_b late_b spread_b rss_b <<< "$figures"
  printf '%-5s %-4s %12s %8s %10s %8s %9s\n' "$pair" B "$rate_b" "$cpu_b" "$late_b" "$spread_b" "$rss_b"
}
# Odd pairs run A first, even pairs B first: the second run of a pair was
# measured faster whichever binary it was (session 22: a binary won 5 of 6
# pairs as B and lost 5 of 6 as A), so a fixed order would favour B.
for pair in $(seq 1 "$pairs"); do
  if (( pair % 2 == 1 )); then run_a "$@"; run_b "$@"; else run_b "$@"; run_a "$@"; fi
  results+=("$rate_a $cpu_a $rate_b $cpu_b $rss_a $rss_b")
done
printf '%s\n' "${results[@]}" | awk -v a="$a" -v b="$b" '
  { ra += $1; ca += $2; rb += $3; cb += $4; sa += $5; sb += $6; if ($3 > $1) won++; n++ }
  END {
    printf "A %s: %.0f events/s, %.2f CPU s, peak RSS %.0f MiB (mean of %d)\n", a, ra / n, ca / n, sa / n, n
    printf "B %s: %.0f events/s, %.2f CPU s, peak RSS %.0f MiB (mean of %d)\n", b, rb / n, cb / n, sb / n, n
    printf "B/A: events/s %+.1f%%, CPU %+.1f%%; B faster in %d of %d pairs\n", 100 * (rb / ra - 1), 100 * (cb / ca - 1), won, n
  }'
if [[ -n "${AB_KEEP_LOGS:-}" ]]; then echo "logs: $logs"; else rm -rf "$logs"; fi
