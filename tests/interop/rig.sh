# Shared by the interop tests (source it): a private network namespace with only loopback, real peers
# started in it by PID, bounded waits, and a cleanup that stops every process it started and removes the
# namespace, whatever happens. Every test that sources this runs as root (CI does) and sends traffic only
# inside its own namespace.

set -euo pipefail

rig_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rig_work=$(mktemp -d "${TMPDIR:-/tmp}/callgate-interop.XXXXXX")
rig_ns="cg-interop-$$"
rig_pids=()

rig_log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

rig_cleanup() {
  local status=$?
  # Whatever still runs in the namespace is ours too (a peer started through a subshell, a child it forked).
  local leftovers
  leftovers=$(ip netns pids "$rig_ns" 2>/dev/null || true)
  for pid in ${rig_pids[@]+"${rig_pids[@]}"} $leftovers; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in ${rig_pids[@]+"${rig_pids[@]}"} $leftovers; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  ip netns del "$rig_ns" 2>/dev/null || true
  if [ "$status" -ne 0 ] && [ -d "$rig_work" ]; then
    rig_log "failed; logs:"
    for f in "$rig_work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done >&2
  fi
  rm -rf "$rig_work"
}
trap rig_cleanup EXIT

rig_require() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { rig_log "missing tool: $tool (scripts/setup.sh installs it)"; exit 1; }
  done
}

rig_netns() {
  rig_require ip
  ip netns add "$rig_ns"
  ip netns exec "$rig_ns" ip link set lo up
}

# rig_in CMD...: run inside the namespace. Never background `rig_in ... &`: $! would be a subshell's PID, not
# the program's; start background programs with `ip netns exec "$rig_ns" ... &` (as rig_kamailio does).
rig_in() { ip netns exec "$rig_ns" "$@"; }

# rig_wait_for SECONDS FILE PATTERN: until PATTERN shows in FILE, at most SECONDS.
rig_wait_for() {
  local seconds=$1 file=$2 pattern=$3
  for _ in $(seq $((seconds * 10))); do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  rig_log "timed out after ${seconds}s waiting for '$pattern' in $file"
  return 1
}

# rig_kamailio PORT: Kamailio as registrar and proxy with digest auth (users 3000-3009, password 1234) on
# 127.0.0.1:PORT, UDP and TCP. Sets rig_kamctl to its control socket for kamcmd.
rig_kamailio() {
  local port=$1 dir=$rig_work/kamailio
  rig_require kamailio kamcmd ss
  mkdir -p "$dir"
  sed -e "s#@RUNDIR@#$dir#g" -e "s#@PORT@#$port#g" "$rig_root/tests/peers/kamailio.cfg.in" >"$dir/kamailio.cfg"
  ip netns exec "$rig_ns" timeout -k 3 600 kamailio -f "$dir/kamailio.cfg" -DD -E -Y "$dir" -P "$dir/kamailio.pid" \
    -m 64 -M 8 >"$rig_work/kamailio.log" 2>&1 &
  rig_pids+=("$!")
  for _ in $(seq 100); do
    rig_in ss -lnt | grep -q "127.0.0.1:$port " && rig_in ss -lnu | grep -q "127.0.0.1:$port " && break
    sleep 0.1
  done
  rig_in ss -lnt | grep -q "127.0.0.1:$port " || { rig_log "Kamailio did not start"; return 1; }
  rig_kamctl="unix:$dir/kamailio_ctl"
}

# rig_kamcmd ARGS...: Kamailio's RPC (e.g. ul.lookup location s:3000).
rig_kamcmd() { rig_in kamcmd -s "$rig_kamctl" "$@"; }
