#!/usr/bin/env bash
# `make bench` (issue #6): meterd next to Quix Streams, a hand-written
# confluent-kafka loop and the raw librdkafka consume rate, on one broker and
# one pre-generated topic, then quota latency, the scaling curve and restore.
# Installs what it needs (bench-only broker library, Python venv), prints the
# table and rewrites the top section of BENCHMARKS.md.
# Environment: BENCH_EVENTS (1000000), BENCH_SCALE_EVENTS (300000),
# BENCH_COMMIT_INTERVAL (1s), BENCH_METERD_THREADS (`meterd run --threads`,
# default: the number of cores, as Kafka Streams users set num.stream.threads),
# BENCH_ARGS (more pipeline-e2e options), PYTHON.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cache="$here/.cache"
swift="${SWIFT:-swift}"
started=$(date +%s)

"$here/build-broker.sh"

# Python contenders: a venv with pinned versions.
venv="$cache/venv"
requirements="$here/requirements.txt"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
  python="${PYTHON:-python3}"
  if ! "$python" -m venv --help >/dev/null 2>&1 || ! "$python" -c 'import ensurepip' >/dev/null 2>&1; then
    echo "bench: installing python3-venv"
    if [[ "$(id -u)" == 0 ]]; then apt-get install -y -qq python3-venv >/dev/null; else sudo apt-get install -y -qq python3-venv >/dev/null; fi
    python=/usr/bin/python3
  fi
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" || {
    echo "bench: pip install failed (is PyPI reachable?); see above" >&2; exit 1; }
  cp "$requirements" "$venv/requirements.txt"
fi
echo "bench: $("$venv/bin/python" -c 'from importlib.metadata import version as v; print(*(f"{p} {v(p)}" for p in ("quixstreams", "confluent-kafka", "orjson")))')"

echo "bench: building meterd and pipeline-e2e (release)"
(cd "$root" && "$swift" build -c release --product meterd)
(cd "$root/Benchmarks" && "$swift" build -c release --product pipeline-e2e)

out="$here/out"
rm -rf "$out" && mkdir -p "$out"
echo "bench: setup took $(( $(date +%s) - started )) s; logs in $out"
cd "$root/Benchmarks"
# shellcheck disable=SC2086
./.build/release/pipeline-e2e --suite compare \
  --meterd ../.build/release/meterd --broker-lib ../bench/.cache/lib \
  --python ../bench/.cache/venv/bin/python --bench-dir ../bench --logs "$out" \
  --events "${BENCH_EVENTS:-1000000}" --scale-events "${BENCH_SCALE_EVENTS:-300000}" \
  --commit-interval "${BENCH_COMMIT_INTERVAL:-1s}" --meterd-threads "${BENCH_METERD_THREADS:-$(( $(nproc) < 6 ? $(nproc) : 6 ))}" ${BENCH_ARGS:-}
echo "bench: done in $(( $(date +%s) - started )) s"
