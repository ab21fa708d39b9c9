#!/usr/bin/env bash
# End to end: SIP calls through callgate with real peers (issue 6), all inside the rig's private network
# namespace (only `lo`), every process started and stopped by its PID:
#   phase "direct": Kamailio relays signalling only, media goes straight between the gateway and baresip;
#   phase "relay":  Kamailio with rtpengine (user space) relaying the media both ways.
# In each phase a baresip device registered as 3001 answers calls and plays 1000 Hz, recording what it hears;
# headless Chromium with the WebSDK (fake microphone: 440 Hz) calls it and is called by it
# (sip_call.test.mjs). The direct phase also runs the SIPp failure paths, client-side failures and two
# browser sessions calling each other with no SIP server, and checks /metrics for leftovers.
# Usage: sip_call_test.sh BUILD_DIR [direct] [relay]   (both phases when none is named)
set -euo pipefail
build=$(cd "${1:?usage: sip_call_test.sh BUILD_DIR [direct] [relay]}" && pwd)
shift
phases=("$@")
((${#phases[@]})) || phases=(direct relay)
source "$(dirname "$0")/../interop/rig.sh"

callgate=$build/src/app/callgate
rig_require timeout node sipp baresip
[ -x "$callgate" ] || { rig_log "no gateway binary at $callgate (build it first)"; exit 1; }
for pkg in ws playwright-core @flashphoner/websdk; do
  [ -f "$rig_root/node_modules/$pkg/package.json" ] ||
    { rig_log "npm package $pkg missing: run scripts/setup.sh (npm ci) at $rig_root"; exit 1; }
done
chromium=${CG_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { rig_log "no Chromium at $chromium (scripts/setup.sh installs it)"; exit 1; }

kam_port=5060
gw_ws=8080 gw_sip=5070 gw_http=8081
bs_port=5090 # baresip 3001 (and 5091 for its TLS)
no_answer_s=4
rtp_timeout_s=5

rig_netns

cat >"$rig_work/callgate.toml" <<EOF
[log]
level = "debug"

[sip]
listen_address = "127.0.0.1"
port = $gw_sip
transports = ["udp"]
t1_ms = 100
no_answer_timeout_s = $no_answer_s

[ws]
listen_address = "127.0.0.1"
port = $gw_ws
wss_port = 8443
ping_interval_s = 1
max_missed_pongs = 3

[media]
bind_address = "127.0.0.1"
port_min = 20000
port_max = 20999
ice_consent_timeout_s = 5
rtp_timeout_s = $rtp_timeout_s

[http]
port = $gw_http
EOF

gateway_log=$rig_work/callgate.log
ip netns exec "$rig_ns" timeout -k 5 900 "$callgate" --config "$rig_work/callgate.toml" >"$gateway_log" 2>&1 &
gateway_pid=$!
rig_pids+=("$gateway_pid")
for _ in $(seq 100); do
  rig_in ss -lnt | grep -q "127.0.0.1:$gw_ws " && break
  kill -0 "$gateway_pid" 2>/dev/null || break
  sleep 0.1
done
rig_in ss -lnt | grep -q "127.0.0.1:$gw_ws " || { rig_log "callgate did not start"; tail -n 20 "$gateway_log" >&2; exit 1; }

failed=()
for phase in "${phases[@]}"; do
  case $phase in
    direct) rig_kamailio "$kam_port" ;;
    relay)
      rig_rtpengine 2223 30000 30999
      rig_kamailio "$kam_port" rtpengine
      ;;
    *) rig_log "unknown phase $phase (direct, relay)"; exit 1 ;;
  esac
  bs=bs3001-$phase
  rig_baresip "$bs" 3001 "$bs_port" 10000 1000
  rig_log "phase $phase: Kamailio on $kam_port, baresip 3001 on $bs_port"
  node_env=(
    CG_FLOW="$phase" CG_KAMCTL="$rig_kamctl" CG_WS_PORT="$gw_ws" CG_HTTP_PORT="$gw_http" CG_KAM_PORT="$kam_port" CG_GW_SIP_PORT="$gw_sip"
    CG_BARESIP_DIR="$rig_work/baresip-$bs" CG_BARESIP_LOG="$rig_work/baresip-$bs.log"
    CG_SIPP_DIR="$rig_root/tests/peers/sipp" CG_TONE_TOOL="$rig_root/tests/tools/tone_hz.py"
    CG_GATEWAY_LOG="$gateway_log" CG_RTPENGINE_LOG="$rig_work/rtpengine.log" CG_NO_ANSWER_S="$no_answer_s" CG_RTP_TIMEOUT_S="$rtp_timeout_s"
    CG_CHROMIUM="$chromium" HOME="$rig_work" CG_WORK="$rig_work"
  )
  (cd "$rig_root" && ip netns exec "$rig_ns" env "${node_env[@]}" timeout -k 5 420 \
    node --test --test-reporter=spec tests/e2e/sip_call.test.mjs) || failed+=("$phase")
  rig_stop "${rig_baresip_pid[$bs]}" "$rig_kamailio_pid"
  if [ "$phase" = relay ]; then rig_stop "$rig_rtpengine_pid"; fi
done

kill -TERM "$gateway_pid" 2>/dev/null || true
rc=0
wait "$gateway_pid" || rc=$?
if [ "$rc" -ne 0 ]; then
  rig_log "FAILED: callgate exited with $rc on SIGTERM"
  failed+=("callgate-exit")
fi
if ((${#failed[@]})); then
  rig_log "FAILED: ${failed[*]}"
  tail -n 60 "$gateway_log" >&2
  exit 1
fi
rig_log "all passed: ${phases[*]}"
