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
  libgtest-dev libgmock-dev libbenchmark-dev libsrtp2-dev
)
# Real SIP peers: tools/capture records reference traffic from them; later suites run them.
peer_packages=(
  kamailio sip-tester baresip-core iproute2 tshark
  rtpengine-daemon                  # media relay (tests/interop/rig.sh); not the rtpengine metapackage (kernel parts)
  python3                           # interop scripts: digest checks, test tones (tests/tools/tone_hz.py)
)
# Client API end-to-end tests (tests/e2e): the WebSDK in Chromium, driven from Node; openssl makes the wss
# test certificate.
e2e_packages=(chromium openssl)

missing=()
for p in "${build_packages[@]}" "${peer_packages[@]}" "${e2e_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node and npm by command, not by package: a nodejs from another apt source (NodeSource) ships npm itself and
# conflicts with Debian's npm package, which apt would then replace it with.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all system packages present"
fi

# npm packages (tests/e2e) install from the lock file, again whenever the lock file is newer than the last
# install (npm writes node_modules/.package-lock.json at the end of every install).
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -f "$repo_root/package-lock.json" ]; then
  if [ ! -f "$repo_root/node_modules/.package-lock.json" ] ||
    [ "$repo_root/package-lock.json" -nt "$repo_root/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci"
    (cd "$repo_root" && npm ci --no-audit --no-fund)
  else
    echo "setup: node_modules up to date"
  fi
fi
