#!/usr/bin/env bash
# Interop: calls between callgate's SIP user agent (callgate-sip) and a real baresip device, both registered
# at a real Kamailio (registrar + proxy with digest auth: 401 for REGISTER, 407 for INVITE).
#   1. our agent as 3000 calls baresip 3001 (auto-answer) through Kamailio, over UDP and over TCP: the 407 is
#      answered, the call is answered with SDP, we hang up after --talk and baresip sees the call close;
#   2. our agent registers as 3002 (UDP, then TCP) and baresip dials it through Kamailio: over UDP baresip
#      hangs up (ended by=remote), over TCP our --talk ends it (ended by=local).
# Usage: baresip_call_test.sh PATH/TO/callgate-sip
set -euo pipefail
agent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/interop/rig.sh
source "$(dirname "$0")/rig.sh"

rig_require timeout baresip python3 ss
rig_netns
# Background peers are started with `ip netns exec` itself, not rig_in: `rig_in CMD &` is a subshell, so
# $! would be the subshell's PID and killing it would leave CMD running (rig_kamailio has that problem).
# Anything still in the namespace at exit was started here: stop it by PID before rig_cleanup removes the
# namespace.
stop_leftovers() {
  local pid
  for pid in $(ip netns pids "$rig_ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 60); do [ -z "$(ip netns pids "$rig_ns" 2>/dev/null)" ] && return 0; sleep 0.1; done
  for pid in $(ip netns pids "$rig_ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
}
trap 'status=$?; set +e; stop_leftovers; (exit "$status"); rig_cleanup' EXIT

kam_port=5060
bs_port=5070  # baresip 3001; it also takes 5071 for TLS
rig_kamailio "$kam_port"

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    rig_log "ok: $what"
  else
    failed=$((failed + 1))
    rig_log "FAILED: $what"
  fi
}

# A tone for baresip's audio source: 1000 Hz, 48 kHz 16-bit mono, 60 s. aufile reads the whole file at start
# and wants the rate and channels of ausrc_srate/ausrc_channels (48 kHz here); baresip resamples for the codec.
python3 - "$rig_work/tone.wav" <<'PY'
import math, struct, sys, wave
rate = 48000
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 1000 * n / rate)))
                           for n in range(rate * 60)))
PY

# baresip 3001 over UDP, auto-answer, driven through a FIFO on its stdin. No comment may end a config line.
bs_dir=$rig_work/baresip
mkdir -p "$bs_dir"
cat >"$bs_dir/config" <<EOF2
poll_method		epoll
call_local_timeout	120
call_max_calls		4
sip_listen		127.0.0.1:$bs_port
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_player		aubridge,sink-3001
audio_source		aufile,$rig_work/tone.wav
ausrc_srate		48000
ausrc_channels		1
audio_alert		aubridge,alert-3001
rtp_ports		10000-10099
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
EOF2
echo "<sip:3001@127.0.0.1:$kam_port;transport=udp>;auth_pass=1234;answermode=auto;regint=600" >"$bs_dir/accounts"
mkfifo "$bs_dir/stdin"
exec {bs_fd}<>"$bs_dir/stdin"
bs_log=$rig_work/baresip.log
ip netns exec "$rig_ns" timeout -k 3 120 baresip -f "$bs_dir" <"$bs_dir/stdin" >"$bs_log" 2>&1 &
rig_pids+=("$!")
bs() { printf '%s\n' "$1" >&"$bs_fd"; }
rig_wait_for 15 "$bs_log" "3001@127.0.0.1.*200 OK"

# count FILE REGEX: lines of FILE matching REGEX (0 when none).
count() { grep -cE "$2" "$1" || true; }

# grows SECONDS FILE REGEX BEFORE: within SECONDS, more than BEFORE lines of FILE match REGEX (baresip's log
# holds every call of this script, so each check counts from where the call began).
grows() {
  for _ in $(seq $(($1 * 10))); do
    [ "$(count "$2" "$3")" -gt "$4" ] && return 0
    sleep 0.1
  done
  rig_log "no new line matching '$3' in $2 after ${1}s"
  return 1
}

bs_established='Call established: sip:'
bs_terminated='Call with sip:.* terminated'

# --- our agent calls baresip ------------------------------------------------------------------------------
for transport in udp tcp; do
  out=$rig_work/call-$transport.log
  established_before=$(count "$bs_log" "$bs_established"3000@)
  terminated_before=$(count "$bs_log" "$bs_terminated")
  kam_before=$(count "$rig_work/kamailio.log" "INVITE sip:3001@.* from 127\.0\.0\.1:[0-9]+/$transport")
  status=0
  rig_in timeout -k 2 30 "$agent" --transport "$transport" --listen 127.0.0.1 call \
    --target "sip:3001@127.0.0.1:$kam_port;transport=$transport" \
    --proxy "sip:127.0.0.1:$kam_port;transport=$transport" \
    --user 3000 --password 1234 --talk 2 >"$out" 2>"$rig_work/call-$transport-stderr.log" || status=$?
  check "call $transport: agent exit 0" test "$status" -eq 0
  check "call $transport: answered with SDP" grep -q '^answered status=200 sdp=yes$' "$out"
  check "call $transport: no failure line (the 407 was answered)" bash -c '! grep -q "^failed" "$1"' _ "$out"
  check "call $transport: ended by=local" grep -q '^ended by=local$' "$out"
  check "call $transport: Kamailio got our INVITE over $transport" grows 1 "$rig_work/kamailio.log" \
    "INVITE sip:3001@.* from 127\.0\.0\.1:[0-9]+/$transport" "$kam_before"
  check "call $transport: baresip answered a call from 3000" grows 5 "$bs_log" "$bs_established"3000@ \
    "$established_before"
  check "call $transport: baresip saw the call end (our BYE)" grows 5 "$bs_log" "$bs_terminated" \
    "$terminated_before"
done

# --- baresip calls our agent ------------------------------------------------------------------------------
for transport in udp tcp; do
  out=$rig_work/wait-$transport.log
  established_before=$(count "$bs_log" "$bs_established"3002@)
  if [ "$transport" = udp ]; then talk=30; else talk=2; fi
  ip netns exec "$rig_ns" timeout -k 2 40 "$agent" --transport "$transport" --listen 127.0.0.1 wait \
    --registrar "sip:127.0.0.1:$kam_port;transport=$transport" --user 3002 --password 1234 --expires 120 \
    --answer-after 0 --talk "$talk" >"$out" 2>"$rig_work/wait-$transport-stderr.log" &
  wait_pid=$!
  rig_pids+=("$wait_pid")
  check "wait $transport: registered" rig_wait_for 10 "$out" '^registered'
  # Without a registration or an incoming call the rest cannot pass: skip it rather than wait it out.
  grep -q '^registered' "$out" || { kill -TERM "$wait_pid" 2>/dev/null || true; continue; }
  rig_wait_for 5 "$out" '^listening port=[0-9]+$' || true
  lookup=$(rig_kamcmd ul.lookup location s:3002 2>&1 || true)
  check "wait $transport: Kamailio holds our Contact, received over $transport" \
    grep -qi "socket.*$transport:127.0.0.1:$kam_port" <<<"$lookup"
  bs "/dial sip:3002@127.0.0.1:$kam_port"
  check "wait $transport: incoming from 3001 with SDP" rig_wait_for 10 "$out" \
    '^incoming from=<?sip:3001@127\.0\.0\.1.* sdp=yes$'
  grep -q '^incoming' "$out" || { bs "/hangup"; kill -TERM "$wait_pid" 2>/dev/null || true; continue; }
  check "wait $transport: answered" rig_wait_for 5 "$out" '^answered$'
  check "wait $transport: baresip's call established" grows 5 "$bs_log" "$bs_established"3002@ \
    "$established_before"
  if [ "$transport" = udp ]; then
    sleep 1
    bs "/hangup"
    check "wait $transport: ended by=remote (baresip hung up)" rig_wait_for 5 "$out" '^ended by=remote$'
  else
    check "wait $transport: ended by=local (after --talk)" rig_wait_for 8 "$out" '^ended by=local$'
  fi
  agent_status=0
  for _ in $(seq 50); do kill -0 "$wait_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$wait_pid" 2>/dev/null; then
    agent_status=running
    kill -TERM "$wait_pid" 2>/dev/null || true
    wait "$wait_pid" 2>/dev/null || true
  else
    wait "$wait_pid" || agent_status=$?
  fi
  check "wait $transport: agent exits 0 after its one call" test "$agent_status" = 0
done

bs "/quit"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
