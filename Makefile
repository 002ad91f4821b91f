# meterd — the two commands: `make demo` and `make test`.
# Each installs what it needs (librdkafka-dev via apt-get when missing).

SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
APT_PACKAGES := librdkafka-dev pkg-config

.PHONY: all deps build test demo bench bench-core bench-pipeline soak clean

# `meterd run --threads` in the benchmarks: one per core, at most 6 (the partitions of topics/).
BENCH_METERD_THREADS ?= $(shell n=$$(nproc); [ $$n -gt 6 ] && n=6; echo $$n)

all: build

## deps: install librdkafka-dev (and pkg-config) when missing.
deps:
	@if pkg-config --exists rdkafka 2>/dev/null; then \
	  echo "meterd: librdkafka $$(pkg-config --modversion rdkafka) found"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "meterd: installing $(APT_PACKAGES) with apt-get"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then \
	  echo "meterd: installing $(APT_PACKAGES) with sudo apt-get"; \
	  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	else \
	  echo "meterd: librdkafka is missing. Install it first: apt-get install librdkafka-dev (Debian/Ubuntu) or brew install librdkafka (macOS)." >&2; \
	  exit 1; \
	fi

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

## test: build everything and run the whole suite (unit, Kafka integration on
## the embedded broker, end-to-end processes).
test: deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	# Serial: the Kafka and end-to-end suites start brokers and processes
	# whose group joins time out when they all share two cores at once.
	$(SWIFT) test --skip-build --no-parallel $(SWIFT_BUILD_FLAGS)

## demo: the zero-setup showcase on the embedded broker.
demo: deps
	$(SWIFT) build -c release --product meterd $(SWIFT_BUILD_FLAGS)
	./.build/release/meterd demo

## bench: meterd vs Quix Streams, a hand-written confluent-kafka loop and raw librdkafka,
## on one pre-generated topic; quota latency, scaling curve, restore (bench/run.sh, < 15 min).
bench: deps
	SWIFT="$(SWIFT)" bench/run.sh

## bench-core: decode + route + aggregate throughput of the core vs a Foundation baseline.
bench-core: deps
	cd Benchmarks && $(SWIFT) run -c release pipeline-throughput

## bench-pipeline: `meterd run` end to end (exactly-once) on the embedded broker vs the raw consume rate.
## The broker is bench/build-broker.sh's build (larger per-partition limits, SPEC section 6), so the
## topics have the 6 partitions of topics/ instead of the 128 the stock mock needs for 1 M records.
## `--split-stages`: one thread decodes every input partition, the other aggregates (docs/pipeline.md, Threads).
bench-pipeline: deps
	bench/build-broker.sh
	$(SWIFT) build -c release --product meterd $(SWIFT_BUILD_FLAGS)
	cd Benchmarks && $(SWIFT) run -c release pipeline-e2e --meterd ../.build/release/meterd --meterd-threads $(BENCH_METERD_THREADS) \
	  --meterd-split-stages --broker-lib ../bench/.cache/lib --input-partitions 6 --internal-partitions 6

## soak: `meterd run` for SOAK_MINUTES (10) at a steady rate; RSS and open windows must stay flat.
soak: deps
	$(SWIFT) build -c release --product meterd $(SWIFT_BUILD_FLAGS)
	./scripts/soak.sh

clean:
	rm -rf .build Benchmarks/.build
