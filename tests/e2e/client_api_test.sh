#!/usr/bin/env bash
# End to end: callgate's WebSocket client API (the WCS protocol, PROTOCOL.md §1-2, ADR 0005) against a real
# Kamailio, first by a plain WebSocket client (protocol.test.mjs), then by the Flashphoner WebSDK in headless
# Chromium (browser.test.mjs). Everything runs inside the rig's private network namespace (only `lo`): Kamailio,
# two gateways (the main one with ws and wss, and a "limits" one with a small ws.max_sessions and
# ws.keep_alive_grace_s), Node and Chromium. Every process is started and stopped by its PID.
# The third suite, echo.test.mjs, calls the gateway's echo extension from the WebSDK and checks the media
# (issue 5: ICE-lite, DTLS-SRTP, a 440 Hz tone heard back). The fourth, http.test.mjs, checks the main gateway's
# HTTP listener: /metrics, /healthz and the static files of http.web_root (a folder made here).
# Usage: client_api_test.sh BUILD_DIR [protocol] [browser] [echo] [http]   (every suite when none is named)
# Needs root (ip netns), kamailio, node with the npm packages (scripts/setup.sh), chromium and openssl.
set -euo pipefail
build=$(cd "${1:?usage: client_api_test.sh BUILD_DIR [protocol] [browser] [echo] [http]}" && pwd)
shift
suites=("$@")
((${#suites[@]})) || suites=(protocol browser echo http)
source "$(dirname "$0")/../interop/rig.sh"

callgate=$build/src/app/callgate
rig_require timeout node openssl
[ -x "$callgate" ] || { rig_log "no gateway binary at $callgate (build it first)"; exit 1; }
for pkg in ws playwright-core @flashphoner/websdk; do
  [ -f "$rig_root/node_modules/$pkg/package.json" ] ||
    { rig_log "npm package $pkg missing: run scripts/setup.sh (npm ci) at $rig_root"; exit 1; }
done
chromium=${CG_CHROMIUM:-/usr/bin/chromium}
if [[ " ${suites[*]} " == *" browser "* || " ${suites[*]} " == *" echo "* ]] && [ ! -x "$chromium" ]; then
  rig_log "no Chromium at $chromium (scripts/setup.sh installs it; CG_CHROMIUM overrides the path)"
  exit 1
fi

kam_port=5060
main_ws=8080 main_wss=8443 main_sip=5070 main_http=8081
limits_ws=8090 limits_wss=8453 limits_sip=5072 limits_http=8091
ping_interval_s=1 max_missed_pongs=3 max_frame_bytes=8192 max_messages_per_second=20
limits_max_sessions=2 limits_grace_s=2
ice_consent_timeout_s=5
limits_shared_port=23478

rig_netns
rig_kamailio "$kam_port"

# wss: a self-signed certificate for 127.0.0.1; the Node client trusts exactly it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$rig_work/ws-key.pem" -out "$rig_work/ws-cert.pem" \
  >"$rig_work/openssl.log" 2>&1

# The main gateway's http.web_root: an index.html the http suite compares, a file type it must not serve, and
# secret.html one folder up that no request may reach.
web_root=$rig_work/web
mkdir -p "$web_root"
cat >"$web_root/index.html" <<EOF
<!doctype html>
<html><head><meta charset="utf-8"><title>callgate e2e web root</title></head>
<body><p>callgate e2e web root $(date +%s%N)</p></body></html>
EOF
echo "not served: .txt is not a web file type" >"$web_root/notes.txt"
echo "<p>secret: outside the web root</p>" >"$rig_work/secret.html"

# write_config NAME WS WSS SIP HTTP MEDIA_MIN MAX_SESSIONS GRACE_S TLS(yes|no) SHARED_PORT(0: a port per transport)
#   WEB_ROOT(empty: none)
write_config() {
  local name=$1 ws=$2 wss=$3 sip=$4 http=$5 media_min=$6 max_sessions=$7 grace=$8 tls=$9 shared=${10}
  local web=${11:-}
  local cert="" key=""
  [ "$tls" = yes ] && cert=$rig_work/ws-cert.pem key=$rig_work/ws-key.pem
  cat >"$rig_work/$name.toml" <<EOF
[log]
level = "debug"

[sip]
listen_address = "127.0.0.1"
port = $sip
transports = ["udp"]
t1_ms = 100

[ws]
listen_address = "127.0.0.1"
port = $ws
wss_port = $wss
tls_certificate = "$cert"
tls_private_key = "$key"
ping_interval_s = $ping_interval_s
max_missed_pongs = $max_missed_pongs
max_frame_bytes = $max_frame_bytes
keep_alive_grace_s = $grace
max_sessions = $max_sessions
max_messages_per_second = $max_messages_per_second

[media]
bind_address = "127.0.0.1"
port_min = $media_min
port_max = $((media_min + 999))
ice_consent_timeout_s = $ice_consent_timeout_s
shared_port = $shared

[http]
port = $http
web_root = "$web"
EOF
}

declare -A gateway_pid=()
gateways_up=yes

# start_gateway NAME WS_PORT: callgate in the namespace with NAME.toml, waiting (10 s at most) for its ws port.
# A gateway that does not come up is reported, and the tests still run: each fails saying the gateway is absent.
start_gateway() {
  local name=$1 ws=$2
  local log=$rig_work/callgate-$name.log
  ip netns exec "$rig_ns" timeout -k 5 900 "$callgate" --config "$rig_work/$name.toml" >"$log" 2>&1 &
  gateway_pid[$name]=$!
  rig_pids+=("$!")
  for _ in $(seq 100); do
    rig_in ss -lnt | grep -q "127.0.0.1:$ws " && { rig_log "callgate ($name) listens on ws://127.0.0.1:$ws"; return 0; }
    kill -0 "${gateway_pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  gateways_up=no
  if kill -0 "${gateway_pid[$name]}" 2>/dev/null; then
    rig_log "callgate ($name) runs but does not listen on ws://127.0.0.1:$ws after 10 s: no client API yet"
  else
    local rc=0
    wait "${gateway_pid[$name]}" || rc=$?
    unset "gateway_pid[$name]"
    rig_log "callgate ($name) exited with status $rc before listening; its log:"
    tail -n 20 "$log" >&2
  fi
}

write_config main "$main_ws" "$main_wss" "$main_sip" "$main_http" 20000 1000 20 yes 0 "$web_root"
# The limits gateway also runs its WebRTC media on one shared UDP port (media.shared_port).
write_config limits "$limits_ws" "$limits_wss" "$limits_sip" "$limits_http" 21000 "$limits_max_sessions" \
  "$limits_grace_s" no "$limits_shared_port"
start_gateway main "$main_ws"
start_gateway limits "$limits_ws"

node_env=(
  CG_WS_PORT="$main_ws" CG_WSS_PORT="$main_wss" CG_TLS_CERT="$rig_work/ws-cert.pem"
  CG_LIMITS_WS_PORT="$limits_ws" CG_LIMITS_MAX_SESSIONS="$limits_max_sessions" CG_LIMITS_GRACE_S="$limits_grace_s"
  CG_KAM_PORT="$kam_port" CG_KAMCTL="$rig_kamctl" CG_KAMAILIO_LOG="$rig_work/kamailio.log"
  CG_PING_INTERVAL_S="$ping_interval_s" CG_MAX_MISSED_PONGS="$max_missed_pongs" CG_MAX_FRAME_BYTES="$max_frame_bytes"
  CG_MAX_MESSAGES_PER_SECOND="$max_messages_per_second" CG_GATEWAY_LOG="$rig_work/callgate-main.log"
  CG_CHROMIUM="$chromium" HOME="$rig_work" CG_ICE_CONSENT_TIMEOUT_S="$ice_consent_timeout_s"
  CG_LIMITS_SHARED_PORT="$limits_shared_port" CG_HTTP_PORT="$main_http" CG_WEB_ROOT="$web_root"
)

failed=()
for suite in "${suites[@]}"; do
  case $suite in
    protocol) limit=360 ;;
    browser) limit=200 ;;
    echo) limit=240 ;;
    http) limit=90 ;;
    *) rig_log "unknown suite $suite (protocol, browser, echo, http)"; exit 1 ;;
  esac
  rig_log "suite $suite"
  (cd "$rig_root" && ip netns exec "$rig_ns" env "${node_env[@]}" timeout -k 5 "$limit" \
    node --test --test-reporter=spec "tests/e2e/$suite.test.mjs") || failed+=("$suite")
done

# callgate exits 0 on SIGTERM.
for name in "${!gateway_pid[@]}"; do
  pid=${gateway_pid[$name]}
  kill -TERM "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" || rc=$?
  if [ "$rc" -eq 0 ]; then
    rig_log "ok: callgate ($name) exited 0 on SIGTERM"
  else
    rig_log "FAILED: callgate ($name) exited with $rc on SIGTERM"
    failed+=("callgate-$name-exit")
  fi
done

[ "$gateways_up" = yes ] || failed+=("gateway-start")
if ((${#failed[@]})); then
  rig_log "FAILED: ${failed[*]}"
  exit 1
fi
rig_log "all passed: ${suites[*]}"
