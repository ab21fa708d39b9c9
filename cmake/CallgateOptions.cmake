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

if(CALLGATE_SANITIZE)
  target_compile_options(callgate_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                    -fno-sanitize-recover=undefined)
  target_link_options(callgate_options INTERFACE -fsanitize=address,undefined)
endif()

if(CALLGATE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CALLGATE_FUZZ needs clang++ (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  target_compile_options(callgate_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                    -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(callgate_options INTERFACE -fsanitize=address,undefined)
endif()

# OpenSSL 3 (digest hashes, random identifiers; DTLS and TLS later), found once for every folder: GLOBAL so the
# imported targets are visible to tests and fuzzers that link the layers.
find_package(OpenSSL 3.0 REQUIRED GLOBAL)

# Registers a layer library: callgate_add_library(NAME SOURCES... DEPS ...)
function(callgate_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC callgate_options ${ARG_DEPS})
endfunction()
