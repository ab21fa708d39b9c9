# callgate: the two commands are `make demo` and `make test`; the rest are their parts.
SHELL := /bin/bash
JOBS ?= 2
BUILD ?= build
BUILD_TEST ?= build-test
FUZZ_SECONDS ?= 20
CMAKE_COMMON := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: all setup build build-test test test-unit test-fuzz bench demo format clean

all: build

setup:
	@scripts/setup.sh

# Release build (g++, RelWithDebInfo) for `make demo` and `make bench`. Warnings are errors in the build of
# `make test` (clang); here, where `make test` does not go (ADR 8), a warning only g++ gives must not stop a
# newcomer's `make demo`.
build:
	cmake -S . -B $(BUILD) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALLGATE_WERROR=OFF
	cmake --build $(BUILD) -j$(JOBS)

# The one build of `make test` (docs/adr/0008): clang, ASan+UBSan at -O1 with line tables, the layer libraries
# instrumented for libFuzzer, and everything built from them: programs, unit tests, fuzz targets, benchmarks.
build-test:
	cmake -S . -B $(BUILD_TEST) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_COMPILER=clang++ -DCALLGATE_WERROR=ON \
	  -DCALLGATE_FUZZ=ON -DCALLGATE_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(BUILD_TEST) -j$(JOBS)

# Everything in one CTest run in build-test, under ASan+UBSan: unit and scenario tests, the fuzz smoke (each
# target FUZZ_SECONDS), interop and e2e with real peers (as root), the style check and the benchmark smoke. The
# sanitizer options come with each test (CALLGATE_TEST_ENVIRONMENT).
# When a test fails, scripts/ctest_failures.sh repeats what it said about the failure after the summary, where
# a CI log's tail shows it.
test: setup build-test
	ctest --test-dir $(BUILD_TEST) --output-on-failure -j$(JOBS) || { scripts/ctest_failures.sh $(BUILD_TEST); exit 1; }

test-unit: build-test
	ctest --test-dir $(BUILD_TEST) -L unit --output-on-failure -j$(JOBS)

test-fuzz: build-test
	ctest --test-dir $(BUILD_TEST) -L fuzz --output-on-failure

bench: build
	$(BUILD)/bench/callgate_bench

demo: setup build
	scripts/demo.sh $(BUILD)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# build-asan and build-fuzz: folders of the former layout (before ADR 8).
clean:
	rm -rf $(BUILD) $(BUILD_TEST) build-asan build-fuzz
