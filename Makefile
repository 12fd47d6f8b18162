# wellness — `make run` serves on 127.0.0.1:8080 (with no credentials: the sandbox at /sandbox);
# `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Builds are cached outside the clone so fresh clones (and CI) do not rebuild the world.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/wellness-target
PG_SERVER ?= postgres://postgres@127.0.0.1:5432
# The binary reads .env itself; `make run` needs its DATABASE_URL too, to create the database.
ENV_DATABASE_URL := $(shell [ -f .env ] && sed -n 's/^[[:space:]]*DATABASE_URL[[:space:]]*=[[:space:]]*//p' .env | tail -1 | tr -d "\"'")
export DATABASE_URL ?= $(or $(ENV_DATABASE_URL),$(PG_SERVER)/wellness)
export WELLNESS_TEST_DATABASE_URL ?= $(PG_SERVER)
PSQL := psql "$(PG_SERVER)/postgres" -v ON_ERROR_STOP=1 -qtA
# Cases per property test and fuzz target (proptest reads PROPTEST_CASES): few in `make test`,
# FUZZ_CASES in `make fuzz` and `make test-long`.
export PROPTEST_CASES ?= 64
FUZZ_CASES ?= 50000
# Crates the domain must never depend on.
IO_CRATES := tokio|actix|diesel|reqwest|hyper|sqlx|mio

.PHONY: help run test lint fmt bench db db-up tools postgres domain-purity bench-size test-long soak fuzz clean-test-dbs

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

run: db ## create the database if missing, migrate, serve on 127.0.0.1:8080 (no credentials: sandbox)
	cargo build -p wellness
	$(CARGO_TARGET_DIR)/debug/wellness migrate
	$(CARGO_TARGET_DIR)/debug/wellness serve

test: tools db-up clean-test-dbs ## rustfmt, clippy, domain purity, every test (nextest) on the real PostgreSQL
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p wellness --no-default-features -- -D warnings # the build without the sandbox
	$(MAKE) --no-print-directory domain-purity
	cargo build -p wellness
	cargo nextest run --workspace --no-fail-fast

test-long: test ## `make test`, then the long drills (`#[ignore]`d tests: real timeouts, repeated outages), the soak and the fuzz targets at length
	cargo nextest run --workspace --run-ignored ignored-only --no-fail-fast -E 'not test(/soak/)'
	$(MAKE) --no-print-directory soak
	$(MAKE) --no-print-directory fuzz

soak: db-up ## the 30-minute soak (SOAK_SECONDS, SOAK_RATE) against the release build, as deployed
	cargo build --release -p wellness
	WELLNESS_BIN=$(CARGO_TARGET_DIR)/release/wellness cargo nextest run --workspace --run-ignored ignored-only --no-capture -E 'test(/soak/)'

fuzz: tools db-up ## every fuzz target with FUZZ_CASES cases per property (50000: about three minutes)
	cargo build -p wellness
	PROPTEST_CASES=$(FUZZ_CASES) cargo nextest run --workspace --no-fail-fast -E 'test(/fuzz/)'

lint: ## rustfmt check and clippy
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p wellness --no-default-features -- -D warnings

fmt: ## format the code
	cargo fmt --all

bench: db-up ## benchmarks: storage (WHOOP upserts) and the load harness (every speed target, docs/performance.md)
	cargo bench -p wellness-postgres --bench whoop_upserts
	cargo bench -p wellness-postgres --bench inbox_depth
	cargo build --release -p wellness
	cargo bench -p wellness-e2e --bench load

bench-size: db-up ## database size per user per year (docs/scaling.md): a year of an active user's rows, 1,000 users
	cargo build -p wellness
	psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS wellness_size' -c 'CREATE DATABASE wellness_size'
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/wellness_size $(CARGO_TARGET_DIR)/debug/wellness migrate
	psql -h 127.0.0.1 -U postgres -d wellness_size -v ON_ERROR_STOP=1 -f tests/benches/scale/size_per_user.sql
	psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE wellness_size'

domain-purity: ## fail if wellness-domain depends on an IO crate
	@if cargo tree -p wellness-domain -e normal --prefix none | grep -Ei '^($(IO_CRATES))[ -]'; then \
		echo "wellness-domain must not depend on IO crates"; exit 1; \
	else echo "wellness-domain: no IO crates"; fi

tools: postgres ## install what the tests need when missing (nextest, PostgreSQL, Chromium)
	@command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
	@# The browser test drives Debian's Chromium through chromedriver.
	@command -v chromedriver >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }

postgres: ## install PostgreSQL when missing
	@command -v pg_isready >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql postgresql-client; }

db-up: postgres ## start the local PostgreSQL cluster if it is installed but down
	@if ! pg_isready -h 127.0.0.1 -p 5432 -q; then \
		echo "starting PostgreSQL"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start; \
		for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432

db: db-up ## create the `wellness` database if missing
	@db=$${DATABASE_URL##*/}; db=$${db%%\?*}; \
	if [ -z "$$($(PSQL) -c "SELECT 1 FROM pg_database WHERE datname = '$$db'")" ]; then \
		$(PSQL) -c "CREATE DATABASE \"$$db\"" && echo "created database $$db"; fi

clean-test-dbs: db-up ## drop databases left by killed test processes, and old test templates
	@for d in $$($(PSQL) -c "SELECT datname FROM pg_database WHERE datname LIKE 'wellness\_test\_%'"); do \
		$(PSQL) -c "DROP DATABASE IF EXISTS \"$$d\" WITH (FORCE)"; done
	@for d in $$($(PSQL) -c "SELECT datname FROM pg_database WHERE datname LIKE 'wellness\_template\_%'"); do \
		$(PSQL) -c "ALTER DATABASE \"$$d\" IS_TEMPLATE false" -c "DROP DATABASE IF EXISTS \"$$d\" WITH (FORCE)"; done
