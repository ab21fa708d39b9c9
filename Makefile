# callgate: the two commands are `make demo` and `make test`; the rest are their parts.
SHELL := /bin/bash
JOBS ?= 2
BUILD ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 20
CMAKE_COMMON := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCALLGATE_WERROR=ON

.PHONY: all setup build build-asan build-fuzz test test-unit test-sanitize test-fuzz bench demo format clean

all: build

setup:
	@scripts/setup.sh

build:
	cmake -S . -B $(BUILD) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCALLGATE_FUZZ_DIR=$(abspath $(BUILD_FUZZ))/tests/fuzz -DCALLGATE_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(BUILD) -j$(JOBS)

build-asan:
	cmake -S . -B $(BUILD_ASAN) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCALLGATE_SANITIZE=ON -DCALLGATE_BENCH=OFF
	cmake --build $(BUILD_ASAN) -j$(JOBS)

build-fuzz:
	cmake -S . -B $(BUILD_FUZZ) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DCALLGATE_FUZZ=ON -DCALLGATE_BENCH=OFF
	cmake --build $(BUILD_FUZZ) -j$(JOBS) --target callgate_fuzzers

# Unit and scenario tests under ASan+UBSan.
test-sanitize: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(BUILD_ASAN) -L unit --output-on-failure -j$(JOBS)

# Everything, ending with the main CTest run (unit, fuzz smoke, benchmark smoke) whose summary closes the output.
test: setup build-fuzz test-sanitize build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-unit: build
	ctest --test-dir $(BUILD) -L unit --output-on-failure -j$(JOBS)

test-fuzz: build-fuzz build
	ctest --test-dir $(BUILD) -L fuzz --output-on-failure

bench: build
	$(BUILD)/bench/callgate_bench

demo: setup build
	scripts/demo.sh $(BUILD)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
