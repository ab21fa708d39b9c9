#!/usr/bin/env bash
# Records real SIP traffic between real peers (Kamailio, baresip, SIPp) as parser test data.
#
#   tools/capture/capture.sh [--keep DIR]
#   CALLGATE_PLAYWRIGHT_NODE_PATH=/tmp/cg-chromium/node_modules tools/capture/capture.sh   # + Chromium SDPs
#
# Everything runs inside a private network namespace that has only `lo` (no packet can leave the machine),
# on 127.0.0.1. tshark captures the signalling ports on lo; extract_sip.py then cuts each SIP message out of
# the capture byte for byte and writes the ones named in selection.tsv to tests/data/sip/captures/ and the
# SDP bodies to tests/data/sdp/. The captures' README.md is rewritten with the peers' versions and the date.
#
# Flows (ports in peers.txt; selection.tsv refers to the labels there):
#   1. baresip 3001 (callee, answermode=auto) and 3002 register over UDP: REGISTER, 401, REGISTER+auth, 200.
#   2. baresip 3002 calls 3001 through Kamailio over UDP: INVITE, 407, ACK, INVITE+auth, 100, 180, 200, ACK,
#      BYE, 200 (Kamailio Record-Routes, so the forwarded INVITE has two Vias).
#   3. baresip 3003 registers and calls 3001 over TCP (Kamailio bridges TCP to UDP: double Record-Route).
#   4. SIPp built-in `-sn uac` against `-sn uas`, and against baresip 3001 directly.
#   5. SIPp uac_auth.xml as 3005 through Kamailio to baresip 3001 (407, auth, Record-Route set).
#   6. SIPp options.xml: OPTIONS to Kamailio. 7. The baresips quit: REGISTER with Expires 0.
#
# Needs (checked, never installed here): ip (iproute2), kamailio, baresip (baresip-core), sipp (sip-tester),
# tshark, python3, timeout. Run as root (network namespaces). Every process is stopped by its own PID and
# every wait is bounded; the namespace and the work folder are removed on exit. Re-runnable: each run
# rewrites the same files.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out_sip=$repo/tests/data/sip/captures
out_sdp=$repo/tests/data/sdp
keep=""
if [ "${1:-}" = "--keep" ]; then
  keep=${2:?--keep needs a folder}
  mkdir -p "$keep" && keep=$(cd "$keep" && pwd)
fi

for tool in ip kamailio baresip sipp tshark python3 timeout; do
  if ! command -v "$tool" >/dev/null; then
    echo "capture: '$tool' is missing (scripts/setup.sh installs the peers)" >&2
    exit 1
  fi
done
[ "$(id -u)" -eq 0 ] || { echo "capture: run as root (ip netns needs it)" >&2; exit 1; }

ns=cg-capture-$$
work=$(mktemp -d /tmp/cg-capture.XXXXXX)
cd "$work"  # SIPp writes its trace files into the current folder
pids=()
fifo_fds=()

log() { printf 'capture: %s\n' "$*" >&2; }

# Stops one process: SIGTERM, up to 6 s, then SIGKILL.
stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  for fd in "${fifo_fds[@]:-}"; do [ -n "$fd" ] && exec {fd}>&-; done
  ip netns del "$ns" 2>/dev/null
  if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp -a "$work"/. "$keep"/ && log "work folder kept in $keep"
  fi
  cd / && rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 seconds for $2 (a file) to contain the regex $3.
wait_for() {
  local secs=$1 file=$2 pattern=$3
  for _ in $(seq $((secs * 10))); do
    grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  log "timed out after ${secs}s waiting for /$pattern/ in $file"
  tail -n 30 "$file" >&2 || true
  return 1
}

# Runs a command inside the namespace. Not for `&`: a function in the background is a subshell, and $! would
# be that subshell's PID rather than the command's; background commands use `ip netns exec` directly (ip
# execs the command, so $! is its PID). `timeout -k` bounds every long-lived peer and forwards our SIGTERM.
inns() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
inns ip link set lo up

# Port plan (also in peers.txt, which names them for extract_sip.py).
kam_port=5060
a_port=5070      # baresip 3001, callee (and 5071 for its TLS listener)
b_port=5080      # baresip 3002, caller over UDP
c_port=5100      # baresip 3003, caller over TCP
uas_port=5090    # SIPp -sn uas
uac_port=5092    # SIPp -sn uac -> SIPp uas
uac2_port=5094   # SIPp -sn uac -> baresip 3001
auth_port=5096   # SIPp uac_auth.xml -> Kamailio
opt_port=5098    # SIPp options.xml -> Kamailio

# A tone for baresip's audio source: 1000 Hz, 48 kHz 16-bit mono, 20 s (read whole at start). aufile wants
# the rate and channels of ausrc_srate/ausrc_channels below; baresip resamples to the codec's.
python3 - "$work/tone.wav" <<'PY'
import math, struct, sys, wave
rate = 48000
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 1000 * n / rate)))
                           for n in range(rate * 20)))
PY

# --- tshark: only the signalling ports, so RTP does not fill the file --------------------------------------
ip netns exec "$ns" timeout -k 3 300 tshark -n -q -i lo -f "udp portrange 5060-5199 or tcp port $kam_port" \
  -w "$work/capture.pcapng" >"$work/tshark.log" 2>&1 &
pids+=("$!")
wait_for 15 "$work/tshark.log" "Capturing on"
sleep 0.5

# --- Kamailio ---------------------------------------------------------------------------------------------
mkdir -p "$work/kamailio"
sed -e "s#@RUNDIR@#$work/kamailio#g" -e "s#@PORT@#$kam_port#g" "$here/../../tests/peers/kamailio.cfg.in" \
  >"$work/kamailio/kamailio.cfg"
ip netns exec "$ns" timeout -k 3 300 kamailio -f "$work/kamailio/kamailio.cfg" -DD -E -Y "$work/kamailio" \
  -P "$work/kamailio/kamailio.pid" -m 64 -M 8 >"$work/kamailio.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
  inns ss -lnu | grep -q "127.0.0.1:$kam_port " && inns ss -lnt | grep -q "127.0.0.1:$kam_port " && break
  sleep 0.1
done
if ! inns ss -lnt | grep -q "127.0.0.1:$kam_port "; then
  log "Kamailio did not start"
  tail -n 40 "$work/kamailio.log" >&2
  exit 1
fi
# `kamailio -c` passes configs whose module fix-ups fail at start: show such errors (TESTRIG.md).
if grep -q "ERROR" "$work/kamailio.log"; then
  log "Kamailio logged errors at start:"
  grep ERROR "$work/kamailio.log" >&2
fi

# --- baresip ----------------------------------------------------------------------------------------------
declare -A bs_fd bs_pid

# baresip_start NAME USER PORT RTP_MIN TRANSPORT ANSWERMODE
baresip_start() {
  local name=$1 user=$2 port=$3 rtp=$4 transport=$5 answer=$6 dir=$work/$1
  mkdir -p "$dir"
  cat >"$dir/config" <<EOF
poll_method		epoll
call_local_timeout	120
call_max_calls		4
sip_listen		127.0.0.1:$port
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_player		aubridge,sink-$name
audio_source		aufile,$work/tone.wav
ausrc_srate		48000
ausrc_channels		1
audio_alert		aubridge,alert-$name
rtp_ports		$rtp-$((rtp + 99))
rtcp_mux		no
jitter_buffer_delay	5-10
module_path		/usr/lib/baresip/modules
module			stdio.so
module			opus.so
module			g711.so
module			aufile.so
module			aubridge.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
EOF
  echo "<sip:$user@127.0.0.1;transport=$transport>;auth_pass=1234;answermode=$answer;regint=600" >"$dir/accounts"
  mkfifo "$dir/stdin"
  local fd
  exec {fd}<>"$dir/stdin"
  fifo_fds+=("$fd")
  bs_fd[$name]=$fd
  ip netns exec "$ns" timeout -k 3 240 baresip -f "$dir" <"$dir/stdin" >"$work/$name.log" 2>&1 &
  pids+=("$!")
  bs_pid[$name]=$!
}
bs() { printf '%s\n' "$2" >&"${bs_fd[$1]}"; }

baresip_start a 3001 "$a_port" 10000 udp auto
wait_for 15 "$work/a.log" "3001@127.0.0.1.*200 OK"
baresip_start b 3002 "$b_port" 10100 udp manual
wait_for 15 "$work/b.log" "3002@127.0.0.1.*200 OK"

log "flow: baresip 3002 -> Kamailio -> baresip 3001 (UDP)"
bs b "/dial sip:3001@127.0.0.1"
wait_for 15 "$work/b.log" "Call established"
sleep 2
bs b "/hangup"
wait_for 10 "$work/b.log" "terminated|Call closed|closed"
sleep 1

log "flow: baresip 3003 over TCP -> Kamailio -> baresip 3001"
baresip_start c 3003 "$c_port" 10200 tcp manual
wait_for 15 "$work/c.log" "3003@127.0.0.1.*200 OK"
bs c "/dial sip:3001@127.0.0.1"  # baresip adds ;transport=tcp from the account
wait_for 15 "$work/c.log" "Call established"
sleep 2
bs c "/hangup"
wait_for 10 "$work/c.log" "terminated|Call closed|closed"
sleep 1

# --- SIPp -------------------------------------------------------------------------------------------------
sipp_common=(-nostdin -m 1 -i 127.0.0.1 -trace_err -trace_msg)

log "flow: SIPp -sn uac -> SIPp -sn uas"
ip netns exec "$ns" timeout -k 3 30 sipp -sn uas "${sipp_common[@]}" -p "$uas_port" -mp 6000 \
  -message_file "$work/sipp-uas-msg.log" -error_file "$work/sipp-uas-err.log" >"$work/sipp-uas.out" 2>&1 &
uas_pid=$!
pids+=("$uas_pid")
sleep 1
inns timeout 30 sipp 127.0.0.1:"$uas_port" -sn uac -s 3001 "${sipp_common[@]}" -p "$uac_port" \
  -mp 6100 -d 500 -message_file "$work/sipp-uac-msg.log" -error_file "$work/sipp-uac-err.log" \
  >"$work/sipp-uac.out" 2>&1 || log "SIPp uac -> uas exited with $?"
for _ in $(seq 100); do kill -0 "$uas_pid" 2>/dev/null || break; sleep 0.1; done
stop_pid "$uas_pid"

log "flow: SIPp -sn uac -> baresip 3001"
inns timeout 30 sipp 127.0.0.1:"$a_port" -sn uac -s 3001 "${sipp_common[@]}" -p "$uac2_port" \
  -mp 6200 -d 1000 -message_file "$work/sipp-uac2-msg.log" -error_file "$work/sipp-uac2-err.log" \
  >"$work/sipp-uac2.out" 2>&1 || log "SIPp uac -> baresip exited with $?"
sleep 1

log "flow: SIPp uac_auth.xml as 3005 -> Kamailio -> baresip 3001"
inns timeout 30 sipp 127.0.0.1:"$kam_port" -sf "$here/uac_auth.xml" -s 3001 -au 3005 -ap 1234 -key caller 3005 \
  "${sipp_common[@]}" -p "$auth_port" -mp 6300 -message_file "$work/sipp-auth-msg.log" \
  -error_file "$work/sipp-auth-err.log" >"$work/sipp-auth.out" 2>&1 || log "SIPp uac_auth exited with $?"
sleep 1

log "flow: SIPp OPTIONS -> Kamailio"
inns timeout 15 sipp 127.0.0.1:"$kam_port" -sf "$here/options.xml" "${sipp_common[@]}" \
  -p "$opt_port" -message_file "$work/sipp-opt-msg.log" -error_file "$work/sipp-opt-err.log" \
  >"$work/sipp-opt.out" 2>&1 || log "SIPp options exited with $?"

# --- the baresips quit (unREGISTER), then Kamailio and tshark stop ----------------------------------------
for name in c b a; do bs "$name" "/quit"; done
for name in c b a; do
  for _ in $(seq 100); do kill -0 "${bs_pid[$name]}" 2>/dev/null || break; sleep 0.1; done
done
for ((i = ${#pids[@]} - 1; i >= 1; i--)); do stop_pid "${pids[i]}"; done
sleep 1
stop_pid "${pids[0]}"  # tshark last: it flushes the file on SIGTERM
pids=()

# --- Chromium's SDPs (optional: chromium + playwright-core, which the repo does not install yet) ---------
if [ -n "${CALLGATE_PLAYWRIGHT_NODE_PATH:-}" ]; then
  log "Chromium SDPs (chromium_sdp.js)"
  inns env NODE_PATH="$CALLGATE_PLAYWRIGHT_NODE_PATH" timeout -k 5 120 node "$here/chromium_sdp.js" "$out_sdp" >&2
fi

# --- cut the messages out ---------------------------------------------------------------------------------
mkdir -p "$out_sip" "$out_sdp"
find "$out_sip" -maxdepth 1 -name '*.sip' -delete
python3 "$here/extract_sip.py" "$work/capture.pcapng" --peers "$here/peers.txt" --rules "$here/selection.tsv" \
  --out-sip "$out_sip" --out-sdp "$out_sdp" --dump "$work/all" --manifest "$work/manifest.md"

# --- README with the versions and the date -----------------------------------------------------------------
kam_version=$(kamailio -v 2>/dev/null | head -n 1 | sed -e 's/^version: //' -e 's/[[:space:]]*$//')
sipp_version=$(sipp -v 2>&1 | grep -m1 -o 'SIPp v[^ ]*' | sed 's/\.$//' || true)
baresip_version=$(baresip -h 2>&1 | grep -m1 -o 'baresip v[0-9.]*' || true)
pkg() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
{
  cat <<EOF
# Real SIP messages from real peers

Each \`.sip\` file is one SIP message exactly as it crossed the wire (CRLF line ends, body included), cut out
of a packet capture of loopback traffic by \`tools/capture/extract_sip.py\`. UDP messages are one datagram
each; TCP messages were cut from the reassembled stream at the end of their Content-Length. The SDP bodies
of some of them are in \`tests/data/sdp/\` (\`baresip-*.sdp\`, \`sipp-*.sdp\`). Used by
\`tests/unit/sip/message/captures_test.cpp\`, which parses, validates and round-trips every file here.

Recorded on $(date -u +%Y-%m-%d) on Debian $(cat /etc/debian_version 2>/dev/null || echo '?'), inside a private network namespace
(only \`lo\`), everything on 127.0.0.1:

| peer | version | role |
|---|---|---|
| Kamailio | ${kam_version} (package kamailio $(pkg kamailio)) | registrar + proxy, digest auth (realm 127.0.0.1, qop=auth), Record-Route, port 5060 UDP+TCP |
| baresip | ${baresip_version} (package baresip-core $(pkg baresip-core)) | 3001 auto-answer on 5070; 3002 calls over UDP from 5080; 3003 calls over TCP from 5100 |
| SIPp | ${sipp_version} (package sip-tester $(pkg sip-tester)) | built-in \`-sn uac\`/\`-sn uas\`; \`uac_auth.xml\` as 3005 through Kamailio; \`options.xml\` |

Users 3000-3009, password 1234. File names: \`<sender>-<what>.sip\`; "forwarded" means as Kamailio relayed it.

To record again (root; needs kamailio, baresip-core, sip-tester, tshark, python3):

    tools/capture/capture.sh            # add --keep DIR to keep the pcapng, logs and every message

Chromium's SDPs (\`tests/data/sdp/chromium-*.sdp\`) come from \`tools/capture/chromium_sdp.js\` (headless Chromium,
fake devices, ICE gathering complete); capture.sh runs it in the same namespace when
\`CALLGATE_PLAYWRIGHT_NODE_PATH\` points at a node_modules holding playwright-core.

Call-IDs, tags, branches, nonces and SDP origins change on every run, so a new recording rewrites every
file; the tests read values from the messages they need, except the fixed ones (users, ports, methods).

## Files

EOF
  cat "$work/manifest.md"
} >"$out_sip/README.md"

log "wrote $(find "$out_sip" -name '*.sip' | wc -l) messages to $out_sip"
