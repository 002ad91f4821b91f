#!/usr/bin/env bash
# `make soak`: run `meterd run` for SOAK_MINUTES at a steady input rate on the
# embedded broker and check that its memory and state stay flat.
#
# Starts `meterd broker`, one `meterd run -c scripts/soak.yaml` and
# `meterd generate` at SOAK_RATE events/s; samples the processor every
# SOAK_INTERVAL seconds (VmRSS from /proc, the rest from /metrics) into
# .soak/<run>/samples.csv; then prints a table and a verdict
# (scripts/soak-verdict.awk) and exits 1 when the verdict fails.
# A run of at least 10 minutes also replaces the generated block of the
# "Soak" section of BENCHMARKS.md (SOAK_RECORD=1 forces it, 0 skips it).
#
# Settings (environment): SOAK_MINUTES (10), SOAK_RATE (2000),
# SOAK_CUSTOMERS (100), SOAK_INTERVAL (10), SOAK_WARMUP_SECONDS (180, at
# most half the run), SOAK_TOLERANCE (10 %), SOAK_MAX_ABORTS (3),
# SOAK_SEED (42), METERD (.build/release/meterd).
set -euo pipefail

cd "$(dirname "$0")/.."
readonly ROOT=$PWD
readonly METERD=${METERD:-$ROOT/.build/release/meterd}
readonly CONFIG=$ROOT/scripts/soak.yaml
readonly MINUTES=${SOAK_MINUTES:-10}
readonly RATE=${SOAK_RATE:-2000}
readonly CUSTOMERS=${SOAK_CUSTOMERS:-100}
readonly INTERVAL=${SOAK_INTERVAL:-10}
readonly TOLERANCE=${SOAK_TOLERANCE:-10}
readonly MAX_ABORTS=${SOAK_MAX_ABORTS:-3}
readonly SEED=${SOAK_SEED:-42}
readonly RECORD=${SOAK_RECORD:-auto}
readonly INPUT_TOPIC=gateway.usage
readonly APP_ID=soak

for setting in MINUTES RATE CUSTOMERS INTERVAL TOLERANCE MAX_ABORTS SEED; do
    [[ ${!setting} =~ ^[0-9]+$ ]] && (( ${!setting} > 0 || setting == "MAX_ABORTS" )) || {
        echo "soak: SOAK_$setting must be a positive whole number, got '${!setting}'" >&2; exit 2; }
done
readonly DURATION=$(( MINUTES * 60 ))
WARMUP=${SOAK_WARMUP_SECONDS:-180}
(( WARMUP <= DURATION / 2 )) || WARMUP=$(( DURATION / 2 ))
readonly WARMUP
(( WARMUP >= 150 )) || echo "soak: note: a warm-up of ${WARMUP}s is shorter than the state's lifetime (135 s in scripts/soak.yaml); the flatness checks may fail on a run this short" >&2
[[ -x $METERD ]] || { echo "soak: $METERD not found; build it first: swift build -c release --product meterd" >&2; exit 2; }
command -v curl >/dev/null || { echo "soak: curl is needed to read /metrics (apt-get install curl)" >&2; exit 2; }

readonly RUN_DIR=$ROOT/.soak/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN_DIR"
readonly CSV=$RUN_DIR/samples.csv

BROKER_PID="" RUN_PID="" GEN_PID=""

# Stops the processes this script started, gently first.
cleanup() {
    local pid
    for pid in $GEN_PID $RUN_PID $BROKER_PID; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 100); do
        local alive=0
        for pid in $GEN_PID $RUN_PID $BROKER_PID; do kill -0 "$pid" 2>/dev/null && alive=1; done
        (( alive )) || return 0
        sleep 0.1
    done
    for pid in $GEN_PID $RUN_PID $BROKER_PID; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_exit PID SECONDS: waits for a child to exit and sets EXIT_STATUS
# to its status, or to "timeout". (Not in $(…): only this shell can wait.)
wait_exit() {
    local pid=$1 deadline=$(( SECONDS + $2 ))
    EXIT_STATUS=0
    while kill -0 "$pid" 2>/dev/null; do
        (( SECONDS < deadline )) || { EXIT_STATUS=timeout; return; }
        sleep 0.2
    done
    wait "$pid" || EXIT_STATUS=$?
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# RssAnon (heap and other private memory) and thread count of a process.
anon_and_threads() {
    awk '/^RssAnon:/ { anon = $2 } /^Threads:/ { threads = $2 } END { printf("%s,%s", anon, threads) }' "/proc/$1/status" 2>/dev/null || echo ","
}

# One line of counters from /metrics, in the CSV's column order; empty
# fields when the endpoint does not answer.
scrape() {
    local text
    text=$(curl -fsS --max-time 5 "http://127.0.0.1:$HTTP_PORT/metrics" 2>/dev/null) || text=""
    printf '%s\n' "$text" | awk -v input="$INPUT_TOPIC" '
        /^#/ || NF == 0 { next }
        { name = $1; sub(/\{.*/, "", name); value = $NF; seen = 1 }
        name == "meterd_open_windows" { ow += value }
        name == "meterd_state_bytes" { sb += value }
        name == "meterd_partition_lag" { lag += value }
        name == "meterd_records_in_total" { rin += value; if (index($1, "topic=\"" input "\"")) inp += value }
        name == "meterd_records_out_total" { rout += value }
        name == "meterd_dead_letters_total" { dl += value }
        name == "meterd_transactions_committed_total" { commits = value }
        name == "meterd_transactions_aborted_total" { aborts = value }
        name == "meterd_data_loss_total" { loss = value }
        name == "meterd_late_events_total" { late = value }
        name == "meterd_deduplicated_events_total" { dedup = value }
        name == "meterd_restored_partitions_total" { restored = value }
        name == "meterd_assigned_partitions" { assigned = value }
        name == "meterd_ready" { ready = value }
        name == "meterd_commit_duration_seconds_sum" { csum = value }
        name == "meterd_commit_duration_seconds_count" { ccount = value }
        END {
            if (!seen) { print ",,,,,,,,,,,,,,,," ; exit }
            printf("%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3f,%.0f\n", ow, sb, lag, inp, rin, rout,
                dl, commits, aborts, loss, late, dedup, restored, assigned, ready, csum, ccount)
        }'
}

load1() { cut -d' ' -f1 /proc/loadavg; }

readonly BLOCK_BEGIN="<!-- soak:begin (written by scripts/soak.sh; make soak replaces this block) -->"
readonly BLOCK_END="<!-- soak:end -->"

# The generated block of the "Soak" section of BENCHMARKS.md, in Markdown.
write_summary() {
    local cpu ram hwm=""
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    ram=$(awk '/^MemTotal:/ { printf("%.0f GiB", $2 / 1048576) }' /proc/meminfo)
    [[ -z $RUN_HWM_KIB ]] || hwm=$(awk -v k="$RUN_HWM_KIB" 'BEGIN { printf("%.1f MiB", k / 1024) }')
    cat <<SUMMARY
$BLOCK_BEGIN
- Date: $(date -u '+%Y-%m-%d %H:%M') UTC. Machine: \`nproc\` = $(nproc), \`$cpu\`, $ram RAM, shared with
  other engineers' builds and benchmarks: load average $LOAD_START at the start, $LOAD_END at the end
  (1-minute figure per sample in the table). Broker, processor and generator share these cores.
- Command: \`make soak\` (SOAK_MINUTES=$MINUTES SOAK_RATE=$RATE SOAK_CUSTOMERS=$CUSTOMERS), commit
  \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`, release build.
- Setup: \`meterd broker --app-id $APP_ID\` (embedded broker, librdkafka mock cluster); one
  \`meterd run -c scripts/soak.yaml\` (windows 10s, grace 5s, allowedLateness 2m, commitInterval 100ms;
  9 features over 6 meters, quotas, prices); \`meterd generate $GENERATE_ARGS\` (Kong JSON).
- Duration $MINUTES min, a sample every $INTERVAL s (\`VmRSS\` of \`meterd run\` from /proc, the rest
  from \`/metrics\`), warm-up $WARMUP s. Peak RSS (\`VmHWM\`) of \`meterd run\`: ${hwm:-not read}.

$VERDICT
$BLOCK_END
SUMMARY
}

# record_in FILE SUMMARY: replaces the generated block in FILE, or appends a
# "Soak" section that holds it.
record_in() {
    local file=$1 summary=$2
    if grep -qF "$BLOCK_BEGIN" "$file"; then
        awk -v begin="$BLOCK_BEGIN" -v end="$BLOCK_END" -v summary="$summary" '
            $0 == begin { while ((getline line < summary) > 0) print line; skipping = 1; next }
            skipping && $0 == end { skipping = 0; next }
            !skipping { print }' "$file" >"$file.soak-tmp"
        mv "$file.soak-tmp" "$file"
    else
        { echo; echo "## Soak (make soak)"; echo; cat "$summary"; } >>"$file"
    fi
}

echo "soak: $MINUTES min at $RATE events/s, $CUSTOMERS gateway consumers; warm-up ${WARMUP}s; samples every ${INTERVAL}s in $RUN_DIR"
readonly LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

"$METERD" broker --app-id "$APP_ID" >"$RUN_DIR/broker.out" 2>"$RUN_DIR/broker.log" &
BROKER_PID=$!
BOOTSTRAP=""
for _ in $(seq 1 300); do
    BOOTSTRAP=$(head -n 1 "$RUN_DIR/broker.out" 2>/dev/null || true)
    [[ -n $BOOTSTRAP ]] && break
    kill -0 "$BROKER_PID" 2>/dev/null || { echo "soak: meterd broker exited; see $RUN_DIR/broker.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n $BOOTSTRAP ]] || { echo "soak: meterd broker printed no address within 30 s" >&2; exit 1; }

"$METERD" run -c "$CONFIG" --bootstrap "$BOOTSTRAP" --http-port 0 --instance-id soak-1 >"$RUN_DIR/run.log" 2>&1 &
RUN_PID=$!
HTTP_PORT=""
for _ in $(seq 1 300); do
    HTTP_PORT=$(grep -o 'meterd.http_port=[0-9]*' "$RUN_DIR/run.log" 2>/dev/null | head -n 1 | cut -d= -f2 || true)
    [[ -n $HTTP_PORT ]] && break
    kill -0 "$RUN_PID" 2>/dev/null || { echo "soak: meterd run exited; see $RUN_DIR/run.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n $HTTP_PORT ]] || { echo "soak: meterd run logged no HTTP port within 30 s" >&2; exit 1; }
echo "soak: broker $BOOTSTRAP (pid $BROKER_PID), meterd run pid $RUN_PID on :$HTTP_PORT; waiting for /readyz"
ready=0
for _ in $(seq 1 180); do
    curl -fsS --max-time 2 "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null 2>&1 && { ready=1; break; }
    kill -0 "$RUN_PID" 2>/dev/null || { echo "soak: meterd run exited; see $RUN_DIR/run.log" >&2; exit 1; }
    sleep 1
done
(( ready )) || { echo "soak: meterd run not ready after 180 s; see $RUN_DIR/run.log" >&2; exit 1; }

"$METERD" generate --bootstrap "$BOOTSTRAP" --topic "$INPUT_TOPIC" --rate "$RATE" --customers "$CUSTOMERS" \
    --ai-share 0.4 --duplicates 0.01 --late 0.02 --malformed 0.005 --seed "$SEED" --progress-interval 60s \
    >"$RUN_DIR/generate.out" 2>"$RUN_DIR/generate.log" &
GEN_PID=$!
readonly GENERATE_ARGS="--rate $RATE --customers $CUSTOMERS --ai-share 0.4 --duplicates 0.01 --late 0.02 --malformed 0.005 --seed $SEED"

echo "elapsed_s,load1,rss_kib,open_windows,state_bytes,lag,input_in,records_in,records_out,dead_letters,commits,aborts,data_loss,late_events,deduped,restored_partitions,assigned,ready,commit_seconds_sum,commit_count,broker_rss_kib,rss_anon_kib,threads,alive" >"$CSV"
start=$(date +%s.%N)
for (( t = 0; t <= DURATION; t += INTERVAL )); do
    wait_for=$(awk -v start="$start" -v t="$t" -v now="$(date +%s.%N)" 'BEGIN { printf("%.3f", start + t - now) }')
    [[ $wait_for == -* ]] || sleep "$wait_for"
    alive=1
    kill -0 "$RUN_PID" 2>/dev/null || alive=0
    echo "$t,$(load1),$(rss_kib "$RUN_PID"),$(scrape),$(rss_kib "$BROKER_PID"),$(anon_and_threads "$RUN_PID"),$alive" >>"$CSV"
    if (( t % 60 == 0 )); then
        tail -n 1 "$CSV" | awk -F, '{ printf("soak: t=%ss rss=%.1f MiB open_windows=%s lag=%s commits=%s aborts=%s load=%s\n", $1, $3 / 1024, $4, $6, $11, $12, $2) }'
    fi
    (( alive )) || { echo "soak: meterd run died at t=${t}s; see $RUN_DIR/run.log" >&2; break; }
    kill -0 "$GEN_PID" 2>/dev/null || { echo "soak: meterd generate stopped at t=${t}s; see $RUN_DIR/generate.log" >&2; break; }
done

kill -TERM "$GEN_PID" 2>/dev/null || true
wait_exit "$GEN_PID" 60
GEN_STATUS=$EXIT_STATUS
GEN_PID=""
RUN_HWM_KIB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$RUN_PID/status" 2>/dev/null || echo "")
kill -TERM "$RUN_PID" 2>/dev/null || true
wait_exit "$RUN_PID" 60
RUN_STATUS=$EXIT_STATUS
RUN_PID=""
readonly LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

VERDICT=$(awk -v warmup="$WARMUP" -v tolerance="$TOLERANCE" -v rate="$RATE" -v max_aborts="$MAX_ABORTS" \
    -v table_every=60 -v run_status="$RUN_STATUS" -v gen_status="$GEN_STATUS" \
    -f "$ROOT/scripts/soak-verdict.awk" "$CSV")

write_summary >"$RUN_DIR/summary.md"
cat "$RUN_DIR/summary.md"
if [[ $RECORD == 1 || ( $RECORD == auto && $MINUTES -ge 10 ) ]]; then
    record_in "$ROOT/BENCHMARKS.md" "$RUN_DIR/summary.md"
    echo "soak: recorded in BENCHMARKS.md (section \"Soak\")"
fi
echo "soak: samples in $CSV"
[[ $(printf '%s\n' "$VERDICT" | tail -n 1) == "**Verdict: PASS**" ]]
