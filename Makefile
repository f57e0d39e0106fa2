# The two commands of the quick start, and the rest of the developer loop.
#   make run    install what is missing, build, run the daemon on 127.0.0.1:8080
#   make test   install what is missing, build, run the whole test suite
# Everything builds with CMake presets (CMakePresets.json) into build/<preset>.

SHELL := /bin/bash
JOBS ?= $(shell nproc)
PRESET ?= dev
BUILD := build/$(PRESET)
CTEST_ARGS ?=

.PHONY: all deps configure build run test asan tsan clang bench fuzz format lint clean deb

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

# The daemon in the foreground with the shipped config, the repo's policies, the SQLite
# plugin, and its database and generated system key under ./var/.
run: build
	@mkdir -p var
	GLIBC_TUNABLES=glibc.malloc.hugetlb=1 \
	GATEHOUSE_POLICIES_DIR=$(CURDIR)/policies \
	GATEHOUSE_PLUGINS_DIR=$(CURDIR)/$(BUILD)/plugins \
	GATEHOUSE_STORAGE_OPTIONS_PATH=$(CURDIR)/var/gatehouse.db \
	GATEHOUSE_AUTH_SYSTEM_KEY_FILE=$(CURDIR)/var/system-key \
	$(BUILD)/bin/gatehoused --config config/gatehouse.yaml

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

asan:
	@$(MAKE) --no-print-directory test PRESET=asan

# The whole suite built with Clang 14, the second supported compiler.
clang:
	@$(MAKE) --no-print-directory test PRESET=clang

tsan:
	@$(MAKE) --no-print-directory test PRESET=tsan

bench:
	@$(MAKE) --no-print-directory build PRESET=release
	@bash scripts/bench.sh build/release

# The Debian package from a release build: build/release/gatehouse_<version>_<arch>.deb
deb:
	@$(MAKE) --no-print-directory build PRESET=release
	@cd build/release && cpack -G DEB
	@ls build/release/gatehouse_*.deb

FUZZERS := policy_loader_fuzzer team_filter_fuzzer request_json_fuzzer check_body_fuzzer

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target $(FUZZERS)
	@bash scripts/fuzz.sh build/fuzz $${FUZZ_SECONDS:-60} $${FUZZ_SEED:-0}

format:
	@git ls-files '*.cc' '*.h' '*.hpp' | xargs clang-format -i

lint: configure
	@git ls-files 'daemon/*.cc' 'cli/*.cc' 'plugins/*.cc' | xargs clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf build
