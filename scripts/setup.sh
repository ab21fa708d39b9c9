#!/usr/bin/env bash
# Installs what callgate needs to build, test and demo, and nothing that is already there.
# Debian 12 only: apt for system packages, npm for the browser-side test tools. Idempotent.
set -euo pipefail

# Build toolchain and libraries (ARCHITECTURE.md §8).
build_packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev          # libFuzzer targets and their sanitizers
  clang-format                      # the enforced style (tests/style)
  libssl-dev                        # digest hashes now; DTLS and TLS later
  libboost-dev libboost-system-dev  # Asio (net/), Beast later
  libc-ares-dev                     # RFC 3263 SIP server location (NAPTR, SRV, A, AAAA)
  libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Real SIP peers: tools/capture records reference traffic from them; later suites run them.
peer_packages=(
  kamailio sip-tester baresip-core iproute2 tshark
  python3                           # interop scripts: digest checks, test tones
)

missing=()
for p in "${build_packages[@]}" "${peer_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all system packages present"
fi

# npm packages (browser tests, from later issues) install from the lock file when there is one.
if [ -f package-lock.json ] && [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
