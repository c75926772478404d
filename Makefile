# BackOffice: `make run` to try it, `make test` to check it, `make bench` to measure it.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv-e2e
STATE ?= .backoffice

# Debian packages: building, running the demo (its MQTT broker), end-to-end tests (real git,
# curl, Chromium, wrk, nginx, and nginx + fcgiwrap + git http-backend as the git host of
# Tests/e2e/git_host.py; xmlsec1, the program pysaml2 signs with, for the SAML IdP of the SSO tests).
BUILD_PACKAGES := pkg-config libgit2-dev libssl-dev libxml2-dev libxmlsec1-dev zlib1g-dev libmosquitto-dev git
RUN_PACKAGES := mosquitto
TEST_PACKAGES := curl python3-venv python3-pip chromium chromium-driver wrk nginx-light fcgiwrap procps openssl xmlsec1

.PHONY: run test bench build deps test-deps e2e unit fuzz clean

run: deps build
	.build/debug/backoffice serve --state $(STATE)

build:
	$(SWIFT) build

# Swift tests run one at a time: in parallel, on two cores, long synchronous tests held both
# threads of the concurrency pool and waiting tests timed out (47 s serial against ~20 s).
unit: build
	$(SWIFT) test --no-parallel

test: deps test-deps build
	$(SWIFT) test --no-parallel
	$(MAKE) e2e

e2e: build
	$(VENV)/bin/python -m pytest -q Tests/e2e

bench: deps test-deps
	$(SWIFT) build -c release
	@mkdir -p bench/results
	.build/release/config-bench
	.build/release/http-bench
	.build/release/runtime-bench
	.build/release/driver-bench
	for driver in modbus-hvac lutron occupancy; do DRIVER_BENCH_DRIVER=$$driver .build/release/driver-bench || exit 1; done
	.build/release/auth-bench
	.build/release/sso-bench
	.build/release/site-bench
	.build/release/trigger-bench
	.build/release/mqtt-bench
	.build/release/driver-build-bench
	.build/release/journey-bench
	.build/release/rest-bench
	.build/release/gitops-bench
	$(VENV)/bin/python bench/newcomer-journey.py
	.build/release/bench-summary config-bench http-bench runtime-bench driver-bench driver-bench-modbus-hvac driver-bench-lutron driver-bench-occupancy auth-bench sso-bench site-bench trigger-bench mqtt-bench driver-build-bench journey-bench rest-bench gitops-bench newcomer-journey

# libFuzzer over every parser that reads untrusted input (fuzz/Targets), FUZZ_SECONDS each, from
# the seeds in fuzz/corpus; `make fuzz FUZZ_TARGETS="json svg"` for some. docs/fuzzing.md.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	./fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Installs what is missing, when we can (root or passwordless sudo); otherwise says what to install.
deps:
	@./.ci/install-packages $(BUILD_PACKAGES) $(RUN_PACKAGES)

test-deps:
	@./.ci/install-packages $(TEST_PACKAGES)
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@$(VENV)/bin/python -c 'import pytest, requests, websockets, kosoku, pymodbus, selenium, authlib, aiosmtpd, paho.mqtt, prometheus_client, schemathesis, saml2' 2>/dev/null || \
		$(VENV)/bin/pip install -q -r Tests/e2e/requirements.txt

clean:
	rm -rf .build $(VENV)
