#!/usr/bin/env bash
# The callgate demo: `make demo` runs this with the build folder. It starts, on 127.0.0.1:
#   - Kamailio as the SIP server (registrar and proxy, accounts 3000-3009, password 1234) on port 5060;
#   - the gateway, with ws:// on 8080, wss:// on 8443 (a self-signed certificate made here on first run) and
#     http:// on 8081: the web phone (web/phone plus the WebSDK's flashphoner.js), /metrics and /healthz.
# and prints what to connect to. Ctrl-C stops everything it started, by PID.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$(cd "$1" && pwd)"
binary="$build_dir/src/app/callgate"
demo_dir="$build_dir/demo"
sip_port=5060
websdk="$root/node_modules/@flashphoner/websdk/flashphoner.js"

if [[ ! -x "$binary" ]]; then
  echo "demo: $binary not found; build first (make build)" >&2
  exit 2
fi
for tool in kamailio openssl ss baresip python3; do
  command -v "$tool" >/dev/null || {
    echo "demo: $tool is missing; run make setup" >&2
    exit 2
  }
done
if [[ ! -f "$websdk" ]]; then
  echo "demo: $websdk not found; run make setup (npm ci)" >&2
  exit 2
fi
for port in $sip_port 5062 5090 8080 8443 8081; do
  if ss -lntu | grep -q "127.0.0.1:$port \|0.0.0.0:$port \|\[::\]:$port "; then
    echo "demo: port $port is already in use on this machine; stop what holds it (ss -lntup | grep $port)" >&2
    exit 2
  fi
done
mkdir -p "$demo_dir"

# The web phone the gateway serves on http://127.0.0.1:8081/ (http.web_root): copied afresh on every run.
rm -rf "$demo_dir/web"
mkdir -p "$demo_dir/web"
cp "$root"/web/phone/* "$websdk" "$demo_dir/web/"

# A self-signed ECDSA P-256 pair for wss://, made once (browsers will ask to accept it).
if [[ ! -s "$demo_dir/wss-key.pem" || ! -s "$demo_dir/wss-cert.pem" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$demo_dir/wss-key.pem" \
    -out "$demo_dir/wss-cert.pem" 2>/dev/null
fi

# The gateway's config: the committed defaults plus the certificate and the web phone.
sed -e "s#^tls_certificate = .*#tls_certificate = \"$demo_dir/wss-cert.pem\"#" \
  -e "s#^tls_private_key = .*#tls_private_key = \"$demo_dir/wss-key.pem\"#" \
  -e "s#^web_root = .*#web_root = \"$demo_dir/web\"#" \
  "$root/config/callgate.toml" >"$demo_dir/callgate.toml"
grep -q "^web_root = \"$demo_dir/web\"" "$demo_dir/callgate.toml" || {
  echo "demo: config/callgate.toml has no web_root line to set; regenerate it (callgate --print-default-config)" >&2
  exit 2
}
if ! "$binary" --check-config --config "$demo_dir/callgate.toml" >/dev/null; then
  echo "demo: $demo_dir/callgate.toml is not valid (see above)" >&2
  exit 2
fi

pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap 'stop_all' EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

mkdir -p "$demo_dir/kamailio"
sed -e "s#@RUNDIR@#$demo_dir/kamailio#g" -e "s#@PORT@#$sip_port#g" "$root/tests/peers/kamailio.cfg.in" \
  >"$demo_dir/kamailio/kamailio.cfg"
kamailio -f "$demo_dir/kamailio/kamailio.cfg" -DD -E -Y "$demo_dir/kamailio" -P "$demo_dir/kamailio/kamailio.pid" \
  -m 64 -M 8 >"$demo_dir/kamailio.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do ss -lnu | grep -q "127.0.0.1:$sip_port " && break; sleep 0.1; done
ss -lnu | grep -q "127.0.0.1:$sip_port " || {
  echo "demo: Kamailio did not start; see $demo_dir/kamailio.log" >&2
  exit 1
}

# ---- SIP test device 3001 (baresip) ----------------------------------------------------------------------------
# It registers as 3001 at Kamailio, answers every call at once and plays a 1000 Hz tone into it (what it hears
# goes nowhere: aubridge costs no CPU). Its config, tone and log live in $demo_dir/baresip.
bs_dir=$demo_dir/baresip
mkdir -p "$bs_dir"
if [[ ! -s "$bs_dir/tone-1000hz.wav" ]]; then
  python3 - "$bs_dir/tone-1000hz.wav" <<'PY'
import math, struct, sys, wave
rate = 48000
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    second = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 1000 * n / rate))) for n in range(rate))
    w.writeframes(second * 600)  # 10 minutes: aufile reads it whole at start and plays it once
PY
fi
# No comment may end a baresip config line (it would be read as part of the value).
cat >"$bs_dir/config" <<EOF
poll_method		epoll
call_local_timeout	120
call_max_calls		4
sip_listen		127.0.0.1:5090
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_player		aubridge,demo-3001
audio_source		aufile,$bs_dir/tone-1000hz.wav
audio_alert		aubridge,demo-alert-3001
ausrc_srate		48000
ausrc_channels		1
rtp_ports		10000-10099
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
EOF
echo "<sip:3001@127.0.0.1:$sip_port;transport=udp>;auth_pass=1234;answermode=auto;regint=600" >"$bs_dir/accounts"
baresip -f "$bs_dir" </dev/null >"$demo_dir/baresip.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do grep -q "3001@127.0.0.1.*200 OK" "$demo_dir/baresip.log" && break; sleep 0.1; done
grep -q "3001@127.0.0.1.*200 OK" "$demo_dir/baresip.log" || {
  echo "demo: baresip 3001 did not register at Kamailio; see $demo_dir/baresip.log" >&2
  exit 1
}
# ---- end of the SIP test device -----------------------------------------------------------------------------

# The gateway's own SIP port must differ from Kamailio's.
sed -i -e "s#^port = $sip_port\$#port = 5062#" "$demo_dir/callgate.toml"
"$binary" --config "$demo_dir/callgate.toml" >"$demo_dir/callgate.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
for _ in $(seq 100); do ss -lnt | grep -q "127.0.0.1:8081 " && break; sleep 0.1; done
ss -lnt | grep -q "127.0.0.1:8080 " && ss -lnt | grep -q "127.0.0.1:8081 " || {
  echo "demo: the gateway did not start; see $demo_dir/callgate.log" >&2
  exit 1
}

cat <<INFO
demo: running on 127.0.0.1
  SIP server (Kamailio): sip:127.0.0.1:$sip_port, accounts 3000-3009, password 1234
  gateway WebSocket API: ws://127.0.0.1:8080  and  wss://127.0.0.1:8443 (self-signed: $demo_dir/wss-cert.pem)
  connect a WebSDK app with sipOptions {login: "3000", password: "1234", domain: "127.0.0.1",
    outboundProxy: "127.0.0.1", port: "$sip_port", registerRequired: true}: it reaches REGISTERED.
  call "echo" from it: the gateway answers and sends your microphone (and camera) back to you, over
    ICE-lite and DTLS-SRTP on UDP ports 20000-29999: a check of the media path with no SIP device.
  web phone: open http://127.0.0.1:8081/ , connect as 3000 (password 1234), call 3001 (a tone) or echo
  metrics: http://127.0.0.1:8081/metrics   health: http://127.0.0.1:8081/healthz
  SIP device 3001 (baresip): answers at once and plays a 1000 Hz tone
  logs: $demo_dir/callgate.log, $demo_dir/kamailio.log, $demo_dir/baresip.log
demo: stop with Ctrl-C
INFO
wait "$gateway_pid" || true
echo "demo: the gateway stopped; see $demo_dir/callgate.log"
