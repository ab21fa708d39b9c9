# Shared by the interop tests (source it): a private network namespace with only loopback, real peers
# started in it by PID, bounded waits, and a cleanup that stops every process it started and removes the
# namespace, whatever happens. Every test that sources this runs as root (CI does) and sends traffic only
# inside its own namespace. CG_RIG_KEEP=1 keeps the work folder (configs, logs, recordings) for a look after.

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
  if [ -n "${CG_RIG_KEEP:-}" ]; then
    rig_log "kept the work folder (CG_RIG_KEEP): $rig_work"
  else
    rm -rf "$rig_work"
  fi
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

# rig_kamailio PORT [rtpengine]: Kamailio as registrar and proxy with digest auth (users 3000-3009, password
# 1234) on 127.0.0.1:PORT, UDP and TCP (tests/peers/kamailio.cfg.in). With "rtpengine" it also relays every
# call's media through the rtpengine that rig_rtpengine started (-A WITH_RTPENGINE: the SDP is rewritten to
# rtpengine's address and ports). Sets rig_kamctl to its control socket for kamcmd, rig_kamailio_port and
# rig_kamailio_pid (for rig_stop). Its log is $rig_work/kamailio.log (a Kamailio started again overwrites it).
rig_kamailio() {
  local port=$1 relay=${2:-} dir=$rig_work/kamailio
  local defines=()
  rig_require kamailio kamcmd ss
  if [ -n "$relay" ]; then
    [ "$relay" = rtpengine ] || { rig_log "rig_kamailio: unknown mode '$relay' (only: rtpengine)"; return 1; }
    [ -n "${rig_rtpengine_ng:-}" ] || { rig_log "rig_kamailio PORT rtpengine: run rig_rtpengine first"; return 1; }
    defines=(-A WITH_RTPENGINE -A "RTPENGINE_NG=\"udp:$rig_rtpengine_ng\"")
  fi
  mkdir -p "$dir"
  sed -e "s#@RUNDIR@#$dir#g" -e "s#@PORT@#$port#g" "$rig_root/tests/peers/kamailio.cfg.in" >"$dir/kamailio.cfg"
  ip netns exec "$rig_ns" timeout -k 3 600 kamailio -f "$dir/kamailio.cfg" ${defines[@]+"${defines[@]}"} -DD -E \
    -Y "$dir" -P "$dir/kamailio.pid" -m 64 -M 8 >"$rig_work/kamailio.log" 2>&1 &
  rig_kamailio_pid=$!
  rig_pids+=("$rig_kamailio_pid")
  for _ in $(seq 100); do
    rig_in ss -lnt | grep -q "127.0.0.1:$port " && rig_in ss -lnu | grep -q "127.0.0.1:$port " && break
    sleep 0.1
  done
  rig_in ss -lnt | grep -q "127.0.0.1:$port " || { rig_log "Kamailio did not start"; return 1; }
  rig_kamctl="unix:$dir/kamailio_ctl"
  rig_kamailio_port=$port
  # A listening Kamailio can still hide a module that failed its fix-ups, and it starts even when its
  # rtpengine does not answer (it marks it disabled): ask it.
  if [ -n "$relay" ] && ! rig_kamcmd rtpengine.show all 2>&1 | grep -A5 "url: udp:$rig_rtpengine_ng\$" |
    grep -qE "disabled: 0\$"; then
    rig_log "Kamailio has no working rtpengine at udp:$rig_rtpengine_ng: $(rig_kamcmd rtpengine.show all 2>&1 | tr -s '\n\t' ' ')"
    return 1
  fi
}

# rig_kamcmd ARGS...: Kamailio's RPC (e.g. ul.lookup location s:3000).
rig_kamcmd() { rig_in kamcmd -s "$rig_kamctl" "$@"; }

# rig_stop PID...: stop processes this rig started (SIGTERM, at most 5 s, then SIGKILL), reap them and drop
# them from rig_pids (so the cleanup never signals a PID the system has since given to another process).
rig_stop() {
  local pid kept=() p
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for p in ${rig_pids[@]+"${rig_pids[@]}"}; do
    [[ " $* " == *" $p "* ]] || kept+=("$p")
  done
  rig_pids=(${kept[@]+"${kept[@]}"})
}

# rig_rtpengine NG_PORT PORT_MIN PORT_MAX: rtpengine as a user-space media relay (--table=-1: no kernel module)
# on 127.0.0.1, its ng control protocol on 127.0.0.1:NG_PORT (UDP), relaying RTP and RTCP on ports
# PORT_MIN-PORT_MAX; returns once the ng port listens. Sets rig_rtpengine_ng (what rig_kamailio PORT rtpengine
# uses) and rig_rtpengine_pid. Its log, $rig_work/rtpengine.log, at level 6 holds each call's offer and answer
# and, when the call is deleted (BYE, CANCEL, a failed INVITE), its "Final packet stats" per port.
rig_rtpengine() {
  local ng=$1 port_min=$2 port_max=$3
  rig_require rtpengine ss
  ip netns exec "$rig_ns" timeout -k 3 600 rtpengine --config-file=none --table=-1 --interface=127.0.0.1 \
    --listen-ng="127.0.0.1:$ng" --port-min="$port_min" --port-max="$port_max" --num-threads=2 \
    --delete-delay=0 --foreground --log-stderr --log-level=6 >"$rig_work/rtpengine.log" 2>&1 &
  rig_rtpengine_pid=$!
  rig_pids+=("$rig_rtpengine_pid")
  for _ in $(seq 100); do
    rig_in ss -lnu | grep -q "127.0.0.1:$ng " && break
    kill -0 "$rig_rtpengine_pid" 2>/dev/null || break
    sleep 0.1
  done
  rig_in ss -lnu | grep -q "127.0.0.1:$ng " || { rig_log "rtpengine did not start"; return 1; }
  rig_rtpengine_ng="127.0.0.1:$ng"
}

# rig_tone_wav HZ: prints the path of a HZ sine WAV (48 kHz, 16-bit mono, amplitude 8000, $rig_tone_seconds
# long: 60 s unless set), written once per HZ into the work folder.
rig_tone_seconds=60
rig_tone_wav() {
  local hz=$1 file=$rig_work/tone-$1hz.wav
  if [ ! -f "$file" ]; then
    # One second holds a whole number of periods of an integer frequency: compute it once, repeat it.
    python3 - "$file.tmp" "$hz" "$rig_tone_seconds" <<'PY'
import math, struct, sys, wave
path, hz, seconds, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), 48000
second = b"".join(struct.pack("<h", round(8000 * math.sin(2 * math.pi * hz * n / rate))) for n in range(rate))
with wave.open(path, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(second * seconds)
PY
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# rig_baresip NAME USER SIP_PORT RTP_MIN TONE_HZ: a baresip device (baresip-core) registered at the rig's
# Kamailio (rig_kamailio first) as USER with password 1234 over UDP, answering every call at once, listening
# on 127.0.0.1:SIP_PORT (baresip also takes SIP_PORT+1 for TLS: leave a gap), RTP on RTP_MIN..RTP_MIN+99. Its
# microphone plays a TONE_HZ sine (rig_tone_wav, longer than any call), its speaker goes nowhere (aubridge,
# which costs no CPU, unlike alsa,null), and the sndfile module records each call, what it heard and what it
# sent, into $rig_work/baresip-NAME/rec (rig_baresip_recording). Codecs: opus, then PCMU and PCMA. It reads
# commands from a FIFO on its stdin (rig_baresip_cmd); its log is $rig_work/baresip-NAME.log. Returns once it
# is registered (at most 15 s); sets rig_baresip_pid[NAME] (for rig_stop).
declare -A rig_baresip_pid=() rig_baresip_fd=()
rig_baresip() {
  local name=$1 user=$2 sip_port=$3 rtp_min=$4 hz=$5
  local dir=$rig_work/baresip-$name log=$rig_work/baresip-$name.log tone fd
  rig_require baresip python3
  [ -n "${rig_kamailio_port:-}" ] || { rig_log "rig_baresip: run rig_kamailio first"; return 1; }
  tone=$(rig_tone_wav "$hz")
  mkdir -p "$dir/rec"
  # No comment may end a config line (baresip reads it as part of the value).
  cat >"$dir/config" <<EOF
poll_method		epoll
call_local_timeout	120
call_max_calls		4
sip_listen		127.0.0.1:$sip_port
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_player		aubridge,sink-$name
audio_source		aufile,$tone
audio_alert		aubridge,alert-$name
ausrc_srate		48000
ausrc_channels		1
rtp_ports		$rtp_min-$((rtp_min + 99))
rtcp_mux		no
jitter_buffer_delay	5-10
snd_path		$dir/rec
module_path		/usr/lib/baresip/modules
module			stdio.so
module			opus.so
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
EOF
  echo "<sip:$user@127.0.0.1:$rig_kamailio_port;transport=udp>;auth_pass=1234;answermode=auto;regint=600" \
    >"$dir/accounts"
  mkfifo "$dir/stdin"
  # Held open read-write here, so baresip never reads end-of-file between commands.
  exec {fd}<>"$dir/stdin"
  rig_baresip_fd[$name]=$fd
  ip netns exec "$rig_ns" timeout -k 3 600 baresip -f "$dir" <"$dir/stdin" >"$log" 2>&1 &
  rig_baresip_pid[$name]=$!
  rig_pids+=("$!")
  rig_wait_for 15 "$log" "$user@127\.0\.0\.1.*200 OK" || { rig_log "baresip $name did not register as $user"; return 1; }
}

# rig_baresip_cmd NAME COMMAND: one command line to baresip NAME, e.g. "/dial sip:3001@127.0.0.1:5060",
# "/hangup", "/quit".
rig_baresip_cmd() { printf '%s\n' "$2" >&"${rig_baresip_fd[$1]}"; }

# rig_baresip_recording NAME: prints the newest recording of what baresip NAME heard; fails when there is
# none. sndfile writes two WAVs per call, named by the second the call's audio started:
# dump-YYYY-MM-DD-hh-mm-ss-dec.wav (heard: the decoder's output) and ...-enc.wav (sent); 16-bit, at the codec's
# rate and channels (opus: 48 kHz stereo), holding only the frames that passed (no padding for missing RTP).
# Two calls of one device starting within the same second would share a name: space them.
rig_baresip_recording() {
  local newest
  newest=$(ls -t "$rig_work/baresip-$1/rec/"*-dec.wav 2>/dev/null | head -n 1)
  [ -n "$newest" ] || { rig_log "baresip $1 recorded nothing in $rig_work/baresip-$1/rec"; return 1; }
  echo "$newest"
}

# rig_tone_hz FILE [START_S [LEN_S]]: prints the dominant frequency (Hz) of a 16-bit WAV between 20 Hz and
# 4 kHz (tests/tools/tone_hz.py); fails with a message when the part measured is silent or too short.
rig_tone_hz() { python3 "$rig_root/tests/tools/tone_hz.py" "$@"; }

# rig_has_tone FILE HZ [TOLERANCE]: succeeds when FILE is not silent and its dominant frequency is within
# TOLERANCE Hz (default 30) of HZ; logs what it measured either way. Fails with 1 when FILE holds another
# tone, 2 when it holds none (silent, too short, unreadable): a test that expects "not this tone" wants 1.
rig_has_tone() {
  local file=$1 hz=$2 tolerance=${3:-30} got err
  err=$(mktemp "$rig_work/tone_hz.XXXXXX")
  got=$(python3 "$rig_root/tests/tools/tone_hz.py" --verbose "$file" 2>"$err") || {
    rig_log "no tone in $file: $(cat "$err")"
    return 2
  }
  rig_log "$(cat "$err") (want ${hz}±$tolerance Hz)"
  [ $((got > hz ? got - hz : hz - got)) -le "$tolerance" ]
}
