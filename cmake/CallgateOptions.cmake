# Warnings, sanitizers and fuzzing instrumentation shared by every target. (No -Wnull-dereference: with g++ 12 at
# -O2 it fires inside libstdc++ code inlined from system headers such as CLI11's; UBSan checks null
# dereferences for real in the sanitizer build.)
add_library(callgate_options INTERFACE)
target_compile_options(callgate_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                  -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                                  -Wformat=2 -Wimplicit-fallthrough)
if(CALLGATE_WERROR)
  target_compile_options(callgate_options INTERFACE -Werror)
endif()
# Boost 1.74 Asio with g++ 12 in C++20 needs <utility> first (TESTRIG.md); harmless elsewhere.
target_compile_options(callgate_options INTERFACE -include utility)

# The fuzz targets need clang's libFuzzer and run under ASan+UBSan, so CALLGATE_FUZZ implies CALLGATE_SANITIZE:
# `make test` builds the tree once this way (ADR 8) and runs every suite in it.
if(CALLGATE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CALLGATE_FUZZ needs clang++ (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  set(CALLGATE_SANITIZE ON)
  set(CALLGATE_FUZZ_INSTRUMENTATION -fsanitize=fuzzer-no-link)
endif()

if(CALLGATE_SANITIZE)
  target_compile_options(callgate_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                    -fno-sanitize-recover=undefined)
  target_link_options(callgate_options INTERFACE -fsanitize=address,undefined)
endif()

# The environment of every test CTest runs in a sanitizer build: unit tests, the programs the interop and e2e
# scripts start (callgate, callgate-sip), fuzz targets, the benchmark smoke. A leak, an ASan report or undefined
# behaviour ends the process with an error, so the test fails. allow_addr2line: binutils symbolizes the report
# when llvm-symbolizer (package llvm) is not installed.
set(CALLGATE_TEST_ENVIRONMENT "")
if(CALLGATE_SANITIZE)
  set(CALLGATE_ASAN_OPTIONS "detect_leaks=1:abort_on_error=1:allow_addr2line=1")
  set(CALLGATE_UBSAN_OPTIONS "halt_on_error=1:print_stacktrace=1:allow_addr2line=1")
  set(CALLGATE_TEST_ENVIRONMENT "ASAN_OPTIONS=${CALLGATE_ASAN_OPTIONS}" "UBSAN_OPTIONS=${CALLGATE_UBSAN_OPTIONS}")
endif()

# callgate_set_test_environment(): gives every test added so far in the calling folder CALLGATE_TEST_ENVIRONMENT.
function(callgate_set_test_environment)
  get_property(tests DIRECTORY PROPERTY TESTS)
  if(tests AND CALLGATE_TEST_ENVIRONMENT)
    set_property(TEST ${tests} APPEND PROPERTY ENVIRONMENT ${CALLGATE_TEST_ENVIRONMENT})
  endif()
endfunction()

# OpenSSL 3 (digest hashes, random identifiers; DTLS and TLS later), found once for every folder: GLOBAL so the
# imported targets are visible to tests and fuzzers that link the layers.
find_package(OpenSSL 3.0 REQUIRED GLOBAL)

# Registers a layer library: callgate_add_library(NAME SOURCES... DEPS ...). In the fuzzing build the layers
# carry libFuzzer's coverage instrumentation (fuzzer-no-link): the same objects serve the unit tests, the
# programs and the fuzz targets, which alone link libFuzzer (-fsanitize=fuzzer, tests/fuzz).
function(callgate_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC callgate_options ${ARG_DEPS})
  if(CALLGATE_FUZZ_INSTRUMENTATION)
    target_compile_options(${name} PRIVATE ${CALLGATE_FUZZ_INSTRUMENTATION})
  endif()
endfunction()
