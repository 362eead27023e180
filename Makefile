# The two commands: `make run` (a working demo) and `make test` (everything CI runs).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

PROXY := target/release/dcs-proxy
LISTEN ?= 127.0.0.1:8080

.PHONY: run test setup console proxy release test-native test-wasm test-components e2e docs size fmt lint bench

## Set up, build the console and the proxy, and start the demo (Redis children with data and traffic).
run: console proxy
	$(PROXY) demo --listen $(LISTEN) --console-dir dist --data-dir data/demo

## Set up, then every test: formatting and lints, the console's release build and its size, the
## console's component tests and render benchmark in Chromium, the release proxy, then every
## native test, the browser end-to-end suite (e2e/, which drives both release builds) included.
test: setup lint test-wasm test-components release test-native

setup:
	scripts/setup

## The release console in dist/ (wasm, size-optimised).
console: setup
	cargo fetch --locked
	trunk build --release --offline

## The release proxy with the release console built in: one file to deploy (README, Deploy).
release proxy: console
	cargo build --release --locked -p dcs-proxy --features embed-console
	@echo "make release: $(PROXY) (console built in)"

test-native:
	cargo test --workspace --locked

## The release console: what ships, what the e2e suite drives, and what the size budget is about.
test-wasm: console
	scripts/size

## Component tests and the render benchmark (src/browser_tests.rs), size-optimised as shipped,
## in headless Chromium through wasm-bindgen-test-runner (flags in webdriver.json).
test-components: setup
	CHROMEDRIVER=$$(command -v chromedriver) cargo test --locked --profile wasm-release \
	  --target wasm32-unknown-unknown --bin dcs-console -- --nocapture

## Only the browser flows (Chromium driving the release console, the real proxy and Redis).
e2e: release
	cargo build --locked -p dcs-proxy
	cargo test --locked -p e2e

## The README's screenshots (docs/screenshots/), taken from the real demo in headless Chromium.
docs: console proxy
	cargo run --locked -q -p e2e --bin docs-screenshots

## Raw, gzip and brotli size of the release .wasm (budget: 250 KB gzip).
size: console
	scripts/size

fmt:
	leptosfmt -q -c leptosfmt.toml src
	cargo fmt --all

lint: setup
	cargo fmt --all -- --check
	leptosfmt -q -c leptosfmt.toml --check src
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy -p dcs-proxy --all-targets --features embed-console --locked -- -D warnings
	cargo clippy --locked --target wasm32-unknown-unknown --bin dcs-console --tests -- -D warnings

## On 1M keys: fast mode vs redis-cli --hotkeys/--bigkeys, then what each analysis (redis-cli,
## ours gentle, ours fast) costs a concurrent GET workload (figures go in BENCHMARKS.md).
bench: setup
	cargo bench --locked -p dcs-analyzer --bench versus_redis_cli
	cargo bench --locked -p dcs-analyzer --bench impact
	cargo bench --locked -p dcs-analyzer --bench keyspace_file
