#!/usr/bin/env bash
# The callgate demo: `make demo` runs this with the build folder. For now it runs the gateway alone, in the
# foreground, on config/callgate.toml; later it also starts the SIP peers (Kamailio and friends).
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$1"
binary="$build_dir/src/app/callgate"
config="$root/config/callgate.toml"

if [[ ! -x "$binary" ]]; then
  echo "demo: $binary not found; build first (make build)" >&2
  exit 2
fi

# Refuse to start on a bad config before printing anything that promises a running gateway.
if ! "$binary" --check-config --config "$config" >/dev/null; then
  echo "demo: $config is not valid (see above)" >&2
  exit 2
fi

echo "demo: starting $binary --config $config"
echo "demo: it serves what config/callgate.toml says (its log lists the SIP and WebSocket addresses)"
echo "demo: stop with Ctrl-C"

# In the foreground, so Ctrl-C reaches the gateway (same process group); it stops cleanly and exits 0, and this
# script goes on to report it.
status=0
"$binary" --config "$config" || status=$?
echo "demo: callgate stopped (exit code $status)"
exit "$status"
