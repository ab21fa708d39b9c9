#!/usr/bin/env bash
# The callgate demo: `make demo` runs this with the build folder. It starts, on 127.0.0.1:
#   - Kamailio as the SIP server (registrar and proxy, accounts 3000-3009, password 1234) on port 5060;
#   - the gateway, with ws:// on 8080 and wss:// on 8443 (a self-signed certificate made here on first run).
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

if [[ ! -x "$binary" ]]; then
  echo "demo: $binary not found; build first (make build)" >&2
  exit 2
fi
for tool in kamailio openssl ss; do
  command -v "$tool" >/dev/null || {
    echo "demo: $tool is missing; run make setup" >&2
    exit 2
  }
done
for port in $sip_port 8080 8443; do
  if ss -lntu | grep -q "127.0.0.1:$port \|0.0.0.0:$port \|\[::\]:$port "; then
    echo "demo: port $port is already in use on this machine; stop what holds it (ss -lntup | grep $port)" >&2
    exit 2
  fi
done
mkdir -p "$demo_dir"

# A self-signed ECDSA P-256 pair for wss://, made once (browsers will ask to accept it).
if [[ ! -s "$demo_dir/wss-key.pem" || ! -s "$demo_dir/wss-cert.pem" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$demo_dir/wss-key.pem" \
    -out "$demo_dir/wss-cert.pem" 2>/dev/null
fi

# The gateway's config: the committed defaults plus the certificate.
sed -e "s#^tls_certificate = .*#tls_certificate = \"$demo_dir/wss-cert.pem\"#" \
  -e "s#^tls_private_key = .*#tls_private_key = \"$demo_dir/wss-key.pem\"#" \
  "$root/config/callgate.toml" >"$demo_dir/callgate.toml"
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

# The gateway's own SIP port must differ from Kamailio's.
sed -i -e "s#^port = $sip_port\$#port = 5062#" "$demo_dir/callgate.toml"
"$binary" --config "$demo_dir/callgate.toml" >"$demo_dir/callgate.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do ss -lnt | grep -q "127.0.0.1:8080 " && break; sleep 0.1; done
ss -lnt | grep -q "127.0.0.1:8080 " || {
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
  calls to SIP devices, the SIP test device and the web phone page arrive with the calls issue.
  logs: $demo_dir/callgate.log, $demo_dir/kamailio.log
demo: stop with Ctrl-C
INFO
wait "${pids[1]}" || true
echo "demo: the gateway stopped; see $demo_dir/callgate.log"
