#!/usr/bin/env bash
# Interop, peers only (no callgate): proves the rig's media pieces (tests/interop/rig.sh) with real peers.
# Two baresip devices registered at a real Kamailio (digest auth), 3001 playing a 1000 Hz tone and 3002 a 440 Hz
# tone; 3002 calls 3001, a few seconds of media flow, 3002 hangs up, and each device's recording of what it
# heard must hold the other's tone (rig_has_tone), while the checker must reject the wrong tone. Twice:
#   1. plain: Kamailio proxies the signalling only, the media flows device to device;
#   2. relay: Kamailio started with rtpengine (rig_kamailio PORT rtpengine): the SDP each device gets names
#      rtpengine's ports (30000-30999), and rtpengine's final packet stats show RTP relayed both ways.
# Usage: baresip_media_test.sh
set -euo pipefail
# shellcheck source=tests/interop/rig.sh
source "$(dirname "$0")/rig.sh"

rig_require timeout baresip kamailio rtpengine python3 ss
rig_netns
# Anything still in the namespace at exit was started here: stop it by PID before rig_cleanup removes the
# namespace.
stop_leftovers() {
  local pid
  for pid in $(ip netns pids "$rig_ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 60); do [ -z "$(ip netns pids "$rig_ns" 2>/dev/null)" ] && return 0; sleep 0.1; done
  for pid in $(ip netns pids "$rig_ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
}
trap 'status=$?; set +e; stop_leftovers; (exit "$status"); rig_cleanup' EXIT

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
# lacks_tone FILE HZ: FILE holds a tone, and not HZ (rig_has_tone's 1; its 2 is "no tone at all").
lacks_tone() {
  local status=0
  rig_has_tone "$@" || status=$?
  [ "$status" -eq 1 ]
}

kam_port=5060
talk_s=4

# call_with_media PHASE: 3002 (440 Hz) calls 3001 (1000 Hz) through the running Kamailio and both check what
# they heard. The devices are named PHASE-3001 and PHASE-3002; they are stopped at the end.
call_with_media() {
  local phase=$1 a=$1-3001 b=$1-3002 heard_a heard_b
  rig_baresip "$a" 3001 5070 10000 1000
  rig_baresip "$b" 3002 5080 10200 440
  rig_baresip_cmd "$b" "/dial sip:3001@127.0.0.1:$kam_port"
  check "$phase: 3001 answered the call from 3002" \
    rig_wait_for 10 "$rig_work/baresip-$a.log" 'Call established: sip:3002@'
  check "$phase: 3002's call to 3001 is established" \
    rig_wait_for 5 "$rig_work/baresip-$b.log" 'Call established: sip:3001@'
  sleep "$talk_s"
  rig_baresip_cmd "$b" "/hangup"
  check "$phase: 3001 saw the call end (3002's BYE)" \
    rig_wait_for 5 "$rig_work/baresip-$a.log" 'Call with sip:3002@.* terminated'
  check "$phase: 3002 ended the call" rig_wait_for 5 "$rig_work/baresip-$b.log" 'Call with sip:3001@.* terminated'
  # The recorders close their files when the call ends; stopping the devices flushes them for sure.
  rig_stop "${rig_baresip_pid[$a]}" "${rig_baresip_pid[$b]}"
  heard_a=$(rig_baresip_recording "$a" || true)
  heard_b=$(rig_baresip_recording "$b" || true)
  check "$phase: 3001 heard 3002's 440 Hz" rig_has_tone "$heard_a" 440
  check "$phase: 3002 heard 3001's 1000 Hz" rig_has_tone "$heard_b" 1000
  # The checker can fail: the other tone is not found in a recording.
  if [ "$phase" = plain ]; then
    check "$phase: the checker rejects 440 Hz in 3002's recording (1000 Hz)" lacks_tone "$heard_b" 440
  else
    check "$phase: the checker rejects 1000 Hz in 3001's recording (440 Hz)" lacks_tone "$heard_a" 1000
  fi
}

# relayed LOG: rtpengine's final packet stats (LOG) show RTP on two of its ports (30000-30999), one per side,
# each with at least 100 packets (2 s of 20 ms frames).
relayed() {
  local sides
  sides=$(grep -E 'Port +127\.0\.0\.1:30[0-9]{3} <> +127\.0\.0\.1:[0-9]+, SSRC' "$1" |
    sed -nE 's/.*, ([0-9]+) p, .*/\1/p' | awk '$1 >= 100' | wc -l)
  [ "$sides" -ge 2 ] || { rig_log "rtpengine relayed RTP on $sides ports with 100+ packets (want 2)"; return 1; }
}

# --- 1. plain: media device to device ---------------------------------------------------------------------
rig_log "plain: Kamailio without a media relay"
rig_kamailio "$kam_port"
call_with_media plain
check "plain: 3001 got its RTP straight from 3002 (10200-10299)" grep -qE \
  "incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:102[0-9]{2}" "$rig_work/baresip-plain-3001.log"
check "plain: 3002 got its RTP straight from 3001 (10000-10099)" grep -qE \
  "incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:100[0-9]{2}" "$rig_work/baresip-plain-3002.log"
rig_stop "$rig_kamailio_pid"
mv "$rig_work/kamailio.log" "$rig_work/kamailio-plain.log"

# --- 2. relay: media through rtpengine ----------------------------------------------------------------------
rig_log "relay: Kamailio with rtpengine"
rig_rtpengine 2223 30000 30999
rig_kamailio "$kam_port" rtpengine
call_with_media relay
check "relay: Kamailio had rtpengine rewrite the offer and the answer" bash -c '
  grep -q "cg-media: rtpengine INVITE" "$1" && grep -q "cg-media: rtpengine reply 200" "$1"' _ \
  "$rig_work/kamailio.log"
check "relay: 3001 got its RTP from rtpengine (30000-30999)" grep -qE \
  "incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:30[0-9]{3}" "$rig_work/baresip-relay-3001.log"
check "relay: 3002 got its RTP from rtpengine (30000-30999)" grep -qE \
  "incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:30[0-9]{3}" "$rig_work/baresip-relay-3002.log"
check "relay: rtpengine deleted the call on the BYE" rig_wait_for 5 "$rig_work/rtpengine.log" 'Final packet stats'
check "relay: rtpengine's stats: RTP relayed both ways (two of its ports, 100+ packets each)" \
  relayed "$rig_work/rtpengine.log"
rig_stop "$rig_kamailio_pid" "$rig_rtpengine_pid"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
