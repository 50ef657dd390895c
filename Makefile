SHELL := /bin/bash
# paxoslog — build, test and run. `make test` is what CI runs on a fresh clone.
SWIFT ?= swift
# Our own targets already treat warnings as errors (Package.swift); this keeps the output short.
SWIFT_BUILD_FLAGS ?=
DIR ?= $(CURDIR)/.paxoslog-demo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps netdeps build test release run soak bench fuzz format lint clean

all: build

## deps: install the C libraries (liblz4, zlib, libdeflate) and pkg-config when pkg-config cannot find them,
## and Python's prometheus_client (the parser the metrics test reads /metrics with) when it is missing.
C_PACKAGES := liblz4-dev zlib1g-dev libdeflate-dev pkg-config
deps:
	@if pkg-config --exists liblz4 zlib libdeflate 2>/dev/null; then \
	    echo "deps: liblz4, zlib and libdeflate found by pkg-config"; \
	else \
	    echo "deps: installing $(C_PACKAGES)"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $(SUDO) apt-get install -y -q $(C_PACKAGES) \
	    || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(C_PACKAGES); }; \
	fi
	@if python3 -c 'import prometheus_client' 2>/dev/null; then \
	    echo "deps: python prometheus_client found (the metrics test parses /metrics with it)"; \
	else \
	    echo "deps: installing python prometheus_client from PyPI (the metrics test parses /metrics with it)"; \
	    python3 -m pip install -q prometheus_client \
	    || python3 -m pip install -q --break-system-packages prometheus_client \
	    || { export DEBIAN_FRONTEND=noninteractive; $(SUDO) apt-get install -y -q python3-prometheus-client; }; \
	fi

## netdeps: as root, iptables for the network-namespace test (which skips, saying why, without it).
netdeps:
	@if [ "$$(id -u)" = 0 ] && ! command -v iptables >/dev/null; then \
	    echo "deps: installing iptables (for the network-namespace test)"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q iptables iproute2 || { apt-get update -q && apt-get install -y -q iptables iproute2; }; \
	fi

## build: debug build of every target.
build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

## test: the layering check, then the whole test suite (unit, simulation, real processes). Prints the number of tests run.
# The CPU-bound suites (the seeded simulations and fuzzers of the Paxos core, the replica, the
# wire types and whole nodes) run first and alone: beside the real-process suites they starved the
# node processes of a two-core machine for a minute at a time, and elections and answers timed out.
# The rest run at most $(TEST_WIDTH) tests at a time (swift-testing's own bound; unbounded, every
# real-process suite started its 3-node cluster at once): that is faster here, and the nodes answer.
CPU_SUITES := PaxosCoreTests|PaxosReplicaTests|PaxosProtocolTests|PaxosNodeTests
TEST_WIDTH ?= 6
test: deps netdeps
	python3 scripts/check-imports.py
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	{ $(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS) --filter '$(CPU_SUITES)' && \
	  SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) \
	  $(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS) --skip '$(CPU_SUITES)'; } 2>&1 | tee .build/test-output.txt; \
	    status=$${PIPESTATUS[0]}; \
	    echo "make test: $$(grep -E "Test run with [0-9]+ tests" .build/test-output.txt | sed 's/^[^T]*//' | paste -sd';' -)"; \
	    exit $$status

## release: optimized build of the paxoslog binary (.build/release/paxoslog).
release: deps
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS)

## run: build, then a local 3-node cluster demo in $(DIR): append, tail, kill the leader, append again.
run: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product paxoslog
	scripts/demo.sh "$$($(SWIFT) build --show-bin-path)/paxoslog" "$(DIR)"

## soak: the long randomized runs: 10,000 cluster simulation seeds, 1,000 journal crash rounds.
soak: deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	PAXOSLOG_REPLICA_SEEDS=10000 PAXOSLOG_SOAK_ROUNDS=1000 $(SWIFT) test --skip-build \
	    --filter 'ReplicaSimulationTests|CrashTests' $(SWIFT_BUILD_FLAGS)

## bench: release build, then the disk (bench fsync) and the cluster (bench cluster) benchmarks.
BENCH_DIR ?= $(CURDIR)/.paxoslog-bench
bench: deps
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product paxoslog
	mkdir -p $(BENCH_DIR)
	"$$($(SWIFT) build -c release --show-bin-path)/paxoslog" bench fsync --dir $(BENCH_DIR)/fsync
	"$$($(SWIFT) build -c release --show-bin-path)/paxoslog" bench cluster --dir $(BENCH_DIR)/cluster
	rm -rf $(BENCH_DIR)

## fuzz: coverage-guided fuzzing (libFuzzer + AddressSanitizer) of the wire decoders and the replica's
## message handling, for FUZZ_SECONDS (default 300). Findings land in .build/fuzz-*; the corpus is kept.
FUZZ_SECONDS ?= 300
fuzz: deps
	cd Fuzz && $(SWIFT) build -c release -Xswiftc -sanitize=fuzzer,address \
	    -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
	mkdir -p .build/fuzz-corpus
	Fuzz/.build/release/PaxosFuzz -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	    -artifact_prefix=$(CURDIR)/.build/fuzz- .build/fuzz-corpus

## format: rewrite sources with the toolchain's swift-format (.swift-format).
format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

## lint: check formatting without changing files.
lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

clean:
	rm -rf .build
