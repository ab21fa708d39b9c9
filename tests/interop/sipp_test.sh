#!/usr/bin/env bash
# Interop: callgate's SIP user agent (callgate-sip call / wait / message) against SIPp scenarios
# (tests/peers/sipp/): as the caller, a UAS answering 180/200 (and checking our custom header) over UDP and TCP,
# one answering 486, one challenging with 407 (digest recomputed here from SIPp's log), one sending re-INVITE
# then BYE, one silent at first so our INVITE and BYE must be retransmitted, one ringing until we CANCEL, one
# answering with a reliable 183 we must PRACK (RFC 3262), one that REFERs us to a second SIPp (RFC 3515: we
# call it and report in NOTIFYs), one we REFER elsewhere (its final NOTIFY ends our call), one challenging our
# hold re-INVITE (407) and our BYE (401) inside the dialog, one behind an outbound proxy whose Record-Route our
# ACK and BYE must follow, one challenging our MESSAGE (RFC 3428); as the callee, a UAC that CANCELs before
# the answer, one that requires 100rel (our 180 goes reliably, we answer after its PRACK), one that requires an
# unknown extension (420), one using session timers (RFC 4028: 422 below our Min-SE, then a refresh by UPDATE),
# SIPp's built-in UAC for a whole call, and one sending us a MESSAGE.
# Each check needs both sides: SIPp's exit code (0 = its scenario passed) and the agent's lines and exit code.
# Usage: sipp_test.sh PATH/TO/callgate-sip
set -euo pipefail
agent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/interop/rig.sh
source "$(dirname "$0")/rig.sh"

rig_require timeout sipp python3 ss
rig_netns
# Background peers are started with `ip netns exec` itself, not rig_in: `rig_in CMD &` is a subshell, so
# $! would be the subshell's PID and killing it would leave CMD running. Anything still in the namespace at
# exit was started here: stop it by PID before rig_cleanup removes the namespace.
stop_leftovers() {
  local pid
  for pid in $(ip netns pids "$rig_ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 30); do [ -z "$(ip netns pids "$rig_ns" 2>/dev/null)" ] && return 0; sleep 0.1; done
  for pid in $(ip netns pids "$rig_ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
}
trap 'status=$?; set +e; stop_leftovers; (exit "$status"); rig_cleanup' EXIT
cd "$rig_work"  # SIPp writes stray files into the current folder
scenarios=$rig_root/tests/peers/sipp

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

# sipp_args NAME PORT: what every SIPp here gets (logs named after NAME in the work folder).
sipp_args() {
  echo -i 127.0.0.1 -p "$2" -mp $(($2 + 10000)) -m 1 -nostdin -trace_err -error_file "$rig_work/sipp-$1-err.log" \
    -trace_msg -message_file "$rig_work/sipp-$1-msg.log"
}

# sipp_uas NAME SCENARIO PORT [ARGS...]: SIPp playing SCENARIO.xml as a UAS on 127.0.0.1:PORT in the
# background until its one call is done; sets sipp_pid. ARGS: e.g. -t t1 for TCP.
sipp_uas() {
  local name=$1 scenario=$2 port=$3 proto=u
  shift 3
  [ "${1:-}" = "-t" ] && proto=t
  # shellcheck disable=SC2046
  ip netns exec "$rig_ns" timeout -k 2 40 sipp -sf "$scenarios/$scenario.xml" $(sipp_args "$name" "$port") "$@" \
    >"$rig_work/sipp-$name.log" 2>&1 &
  sipp_pid=$!
  rig_pids+=("$sipp_pid")
  for _ in $(seq 50); do
    rig_in ss -ln"$proto" | grep -q "127.0.0.1:$port " && return 0
    sleep 0.1
  done
  rig_log "SIPp $scenario did not start"
  return 1
}

# sipp_passed PID: SIPp ran its scenario to the end (exit code 0) within 5 s of the agent's end.
sipp_passed() {
  local status=0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    # Not a pass whatever its exit code: SIPp stopped by a signal exits 0 when no call has failed yet.
    rig_log "SIPp still waiting 5 s after the agent ended"
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    return 1
  fi
  wait "$1" || status=$?
  [ "$status" -eq 0 ] || rig_log "SIPp exited with $status"
  [ "$status" -eq 0 ]
}

# call NAME ARGS...: callgate-sip call in the foreground; stdout in NAME.log, exit code in call_status.
call() {
  local name=$1
  shift
  call_status=0
  rig_in timeout -k 2 30 "$agent" --listen 127.0.0.1 --t1-ms 100 "$@" >"$rig_work/$name.log" \
    2>"$rig_work/$name-stderr.log" || call_status=$?
}

# wait_agent NAME PORT ARGS...: callgate-sip wait on 127.0.0.1:PORT in the background; sets wait_pid.
wait_agent() {
  local name=$1 port=$2
  shift 2
  ip netns exec "$rig_ns" timeout -k 2 30 "$agent" --listen 127.0.0.1 --port "$port" --t1-ms 100 wait "$@" \
    >"$rig_work/$name.log" 2>"$rig_work/$name-stderr.log" &
  wait_pid=$!
  rig_pids+=("$wait_pid")
  rig_wait_for 5 "$rig_work/$name.log" "^listening port=$port\$"
}

# exits_with SECONDS PID CODE: the process ends by itself within SECONDS with exit code CODE.
exits_with() {
  local seconds=$1 pid=$2 want=$3 status=0
  for _ in $(seq $((seconds * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { rig_log "pid $pid still running after ${seconds}s"; return 1; }
  wait "$pid" || status=$?
  [ "$status" -eq "$want" ] || rig_log "pid $pid exited with $status, expected $want"
  [ "$status" -eq "$want" ]
}

has() { grep -qE "$2" "$rig_work/$1.log"; }     # has NAME REGEX: NAME.log has a line matching REGEX
lacks() { ! grep -qE "$2" "$rig_work/$1.log"; }

# count_at_least N FILE REGEX: at least N lines of FILE match REGEX.
count_at_least() { [ "$(grep -cE "$3" "$2" || true)" -ge "$1" ]; }

# digest_ok MSGLOG PASSWORD [METHOD]: the last Proxy-Authorization SIPp received on a METHOD request (default
# INVITE) is a correct RFC 2617 digest (RFC 3261 §22.4) of that method for PASSWORD. SIPp's verifyauth cannot
# do this: it reads only Authorization.
digest_ok() {
  python3 - "$1" "$2" "${3:-INVITE}" <<'PY'
import hashlib, re, sys
log, password, method = sys.argv[1:4]
headers, current = [], None
for line in open(log, errors="replace").read().splitlines():
    start = re.match(r"([A-Z]+) \S+ SIP/2\.0\s*$", line)
    if start or line.startswith("SIP/2.0 "):  # a request's or a response's first line
        current = start.group(1) if start else None
        continue
    header = re.match(r"Proxy-Authorization:[ \t]*Digest[ \t]+(.*)$", line, re.I)
    if header and current == method:
        headers.append(header.group(1))
if not headers:
    sys.exit(f"no Proxy-Authorization on a {method} in {log}")
p = {k.lower(): a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^",\s]+))', headers[-1])}
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
ha1 = md5(f"{p['username']}:{p['realm']}:{password}")
ha2 = md5(f"{method}:{p['uri']}")
if p.get("qop"):
    want = md5(f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:{p['qop']}:{ha2}")
else:
    want = md5(f"{ha1}:{p['nonce']}:{ha2}")
if want != p.get("response"):
    sys.exit(f"digest mismatch: got {p.get('response')}, want {want}")
PY
}

# --- our UA calls SIPp --------------------------------------------------------------------------------------

rig_log "180/200 over UDP, with a custom header"
sipp_uas 180-udp uas_180_200 5070
call call-180-udp call --target "sip:3001@127.0.0.1:5070" --header "X-Callgate-Test: 42" --talk 1
check "180/200 udp: SIPp saw INVITE with X-Callgate-Test: 42 and SDP, ACK, BYE" sipp_passed "$sipp_pid"
check "180/200 udp: agent exit 0" test "$call_status" -eq 0
check "180/200 udp: provisional 180" has call-180-udp '^provisional status=180 reason=Ringing sdp=no$'
check "180/200 udp: answered 200 with SDP" has call-180-udp '^answered status=200 sdp=yes$'
check "180/200 udp: ended by=local" has call-180-udp '^ended by=local$'

rig_log "180/200 over TCP"
sipp_uas 180-tcp uas_180_200 5072 -t t1
call call-180-tcp --transport tcp call --target "sip:3001@127.0.0.1:5072;transport=tcp" \
  --header "X-Callgate-Test: 42" --talk 1
check "180/200 tcp: SIPp scenario passed" sipp_passed "$sipp_pid"
check "180/200 tcp: agent exit 0" test "$call_status" -eq 0
check "180/200 tcp: provisional 180" has call-180-tcp '^provisional status=180 reason=Ringing sdp=no$'
check "180/200 tcp: answered, ended by=local" bash -c 'grep -q "^answered status=200 sdp=yes$" "$1" &&
  grep -q "^ended by=local$" "$1"' _ "$rig_work/call-180-tcp.log"

rig_log "486 Busy Here"
sipp_uas 486 uas_486 5074
call call-486 call --target "sip:3001@127.0.0.1:5074"
check "486: SIPp got its ACK" sipp_passed "$sipp_pid"
check "486: agent exit 1" test "$call_status" -eq 1
check "486: failed status=486" has call-486 '^failed status=486 reason=.*Busy Here$'
check "486: never answered" lacks call-486 '^answered'

rig_log "407 challenge"
sipp_uas 407 uas_407 5076
call call-407 call --target "sip:3001@127.0.0.1:5076" --user 3000 --password 1234 --talk 1
check "407: SIPp saw no early credentials, then Proxy-Authorization with its realm and nonce" sipp_passed "$sipp_pid"
check "407: the digest is right for password 1234" digest_ok "$rig_work/sipp-407-msg.log" 1234
check "407: agent exit 0" test "$call_status" -eq 0
check "407: answered, ended by=local" bash -c 'grep -q "^answered status=200 sdp=yes$" "$1" &&
  grep -q "^ended by=local$" "$1"' _ "$rig_work/call-407.log"

rig_log "re-INVITE then BYE from the callee"
sipp_uas reinvite uas_reinvite_bye 5078
call call-reinvite call --target "sip:3001@127.0.0.1:5078" --talk 10
check "re-INVITE: SIPp got 200 with an SDP answer to its re-INVITE and 200 to its BYE" sipp_passed "$sipp_pid"
check "re-INVITE: agent exit 0" test "$call_status" -eq 0
check "re-INVITE: answered" has call-reinvite '^answered status=200 sdp=yes$'
check "re-INVITE: ended by=remote" has call-reinvite '^ended by=remote$'
check "re-INVITE: not ended by us" lacks call-reinvite '^ended by=local$'

rig_log "silent callee: retransmissions"
sipp_uas silent uas_silent_first 5080
call call-silent call --target "sip:3001@127.0.0.1:5080" --talk 1
check "silent: SIPp scenario passed" sipp_passed "$sipp_pid"
check "silent: agent exit 0, answered, ended by=local" bash -c '[ "$1" -eq 0 ] &&
  grep -q "^answered status=200 sdp=yes$" "$2" && grep -q "^ended by=local$" "$2"' _ "$call_status" \
  "$rig_work/call-silent.log"
check "silent: INVITE retransmitted (Timer A)" count_at_least 3 "$rig_work/sipp-silent-msg.log" '^INVITE sip:'
check "silent: BYE retransmitted (Timer E)" count_at_least 2 "$rig_work/sipp-silent-msg.log" '^BYE sip:'

rig_log "our CANCEL while ringing"
sipp_uas cancel-out uas_ring_cancel 5084
call call-cancel call --target "sip:3001@127.0.0.1:5084" --cancel-after 1
check "our CANCEL: SIPp got the CANCEL (INVITE's Via) and the ACK for its 487" sipp_passed "$sipp_pid"
check "our CANCEL: agent exit 0" test "$call_status" -eq 0
check "our CANCEL: provisional 180, then cancelled" bash -c 'grep -q "^provisional status=180 " "$1" &&
  grep -q "^cancelled$" "$1"' _ "$rig_work/call-cancel.log"
check "our CANCEL: never answered" lacks call-cancel '^answered'

# --- SIPp calls our UA --------------------------------------------------------------------------------------

rig_log "CANCEL before answer"
check "CANCEL: agent listening" wait_agent wait-cancel 5090 --answer-after 10
status=0
# shellcheck disable=SC2046
rig_in timeout -k 2 10 sipp 127.0.0.1:5090 -sf "$scenarios/uac_cancel.xml" -s 3002 $(sipp_args cancel 5092) \
  >"$rig_work/sipp-cancel.log" 2>&1 || status=$?
check "CANCEL: SIPp got 180, 200 for the CANCEL and 487 for the INVITE" test "$status" -eq 0
check "CANCEL: agent saw the call with SDP and rang" bash -c '
  grep -q "^incoming from=.*sipp@127.0.0.1.* sdp=yes$" "$1" && grep -q "^ringing$" "$1"' _ "$rig_work/wait-cancel.log"
check "CANCEL: agent says cancelled" rig_wait_for 3 "$rig_work/wait-cancel.log" '^cancelled$'
check "CANCEL: never answered" lacks wait-cancel '^answered'
check "CANCEL: agent exits 0 (its one call ended)" exits_with 3 "$wait_pid" 0

rig_log "Require: 100rel (our reliable 180, its PRACK), Require: foo, then a whole call from SIPp's built-in UAC"
# Two calls, both hung up by SIPp (no --talk); the INVITE answered 420 is no call.
check "100rel: agent listening" wait_agent wait-100rel 5094 --answer-after 0 --calls 2
status=0
# shellcheck disable=SC2046
rig_in timeout -k 2 10 sipp 127.0.0.1:5094 -sf "$scenarios/uac_require_100rel.xml" -s 3002 \
  $(sipp_args 100rel 5096) >"$rig_work/sipp-100rel.log" 2>&1 || status=$?
check "100rel: SIPp got a reliable 180 (Require: 100rel, RSeq), 200 for its PRACK, the answer, 200 for its BYE" \
  test "$status" -eq 0
check "100rel: agent rang, answered once, ended by=remote" bash -c 'grep -q "^ringing$" "$1" &&
  [ "$(grep -c "^answered$" "$1")" -eq 1 ] && grep -q "^ended by=remote$" "$1"' _ "$rig_work/wait-100rel.log"
status=0
# shellcheck disable=SC2046
rig_in timeout -k 2 10 sipp 127.0.0.1:5094 -sf "$scenarios/uac_require_unknown.xml" -s 3002 \
  $(sipp_args require-foo 5102) >"$rig_work/sipp-require-foo.log" 2>&1 || status=$?
check "Require: foo: SIPp got 420 with Unsupported: foo" test "$status" -eq 0
check "Require: foo: the agent did not answer it" bash -c '[ "$(grep -c "^answered$" "$1")" -eq 1 ]' _ \
  "$rig_work/wait-100rel.log"
status=0
# shellcheck disable=SC2046
rig_in timeout -k 2 10 sipp 127.0.0.1:5094 -sn uac -s 3002 -d 500 $(sipp_args uac 5098) \
  >"$rig_work/sipp-uac.log" 2>&1 || status=$?
check "uac: SIPp's built-in UAC call passed (200, ACK, BYE answered)" test "$status" -eq 0
check "uac: incoming with SDP, answered, ended by=remote (the agent's second call)" bash -c '
  grep -q "^incoming from=.* sdp=yes$" "$1" && [ "$(grep -c "^answered$" "$1")" -eq 2 ] &&
  [ "$(grep -c "^ended by=remote$" "$1")" -eq 2 ]' _ "$rig_work/wait-100rel.log"
check "uac: agent exits 0 after its two calls" exits_with 5 "$wait_pid" 0

# --- extensions: our UA calls SIPp --------------------------------------------------------------------------

rig_log "reliable 183 (RFC 3262): our PRACK"
sipp_uas prack uas_100rel 5100
call call-prack call --target "sip:3001@127.0.0.1:5100" --talk 1
check "reliable 183: SIPp saw Supported: 100rel, our PRACK (RAck: 1 <INVITE CSeq> INVITE, its Contact and tag)" \
  sipp_passed "$sipp_pid"
check "reliable 183: agent exit 0" test "$call_status" -eq 0
check "reliable 183: provisional 183 with SDP" has call-prack '^provisional status=183 reason=Session Progress sdp=yes$'
check "reliable 183: answered, ended by=local" bash -c 'grep -q "^answered status=200 sdp=yes$" "$1" &&
  grep -q "^ended by=local$" "$1"' _ "$rig_work/call-prack.log"

rig_log "REFER to us (RFC 3515): we call the Refer-To target and report in NOTIFYs"
# Not 5112: SIPp on 5110 binds media 15110 (audio) and 15112 (video); a second SIPp needs ports clear of those.
sipp_uas transfer-target uas_transfer_target 5140
target_pid=$sipp_pid
sipp_uas refer-us uas_refer_us 5110
call call-refer-us call --target "sip:3001@127.0.0.1:5110" --talk 2
check "REFER to us: SIPp got 202, NOTIFYs (Event: refer, message/sipfrag) up to a terminated 200, 200 for its BYE" \
  sipp_passed "$sipp_pid"
check "REFER to us: the transfer target got our INVITE with SDP, ACK and BYE" sipp_passed "$target_pid"
check "REFER to us: agent exit 0" test "$call_status" -eq 0
check "REFER to us: refer to=sip:3005@127.0.0.1:5140" has call-refer-us '^refer to=sip:3005@127\.0\.0\.1:5140$'
check "REFER to us: refer-progress 100, then 200" bash -c 'grep -q "^refer-progress status=100$" "$1" &&
  grep -q "^refer-progress status=200$" "$1"' _ "$rig_work/call-refer-us.log"
check "REFER to us: both calls answered; the first ended by=remote, the transferred one by=local" bash -c '
  [ "$(grep -c "^answered status=200 sdp=yes$" "$1")" -eq 2 ] && grep -q "^ended by=remote$" "$1" &&
  grep -q "^ended by=local$" "$1"' _ "$rig_work/call-refer-us.log"

rig_log "our REFER (RFC 3515): the final NOTIFY ends the call"
sipp_uas refer-them uas_refer_them 5114
started=$SECONDS
call call-refer-them call --target "sip:3001@127.0.0.1:5114" --transfer-to "sip:3009@127.0.0.1:5199" --talk 20
elapsed=$((SECONDS - started))
check "our REFER: SIPp saw Refer-To and Referred-By (our From URI), got 200 for both NOTIFYs, then our BYE" \
  sipp_passed "$sipp_pid"
check "our REFER: agent exit 0" test "$call_status" -eq 0
check "our REFER: transfer status=100 reason=Trying, then 200 OK" bash -c '
  grep -q "^transfer status=100 reason=Trying$" "$1" && grep -q "^transfer status=200 reason=OK$" "$1"' _ \
  "$rig_work/call-refer-them.log"
check "our REFER: ended by=local" has call-refer-them '^ended by=local$'
check "our REFER: hung up after the final NOTIFY, not after --talk 20 (took ${elapsed}s)" test "$elapsed" -lt 10

rig_log "challenges inside the dialog: 407 to our re-INVITE, 401 to our BYE"
sipp_uas authdlg uas_auth_in_dialog 5116
call call-authdlg call --target "sip:3001@127.0.0.1:5116" --user 3000 --password 1234 --reinvite-after 1 \
  --update-after 2 --talk 3
# SIPp checked: the hold re-INVITE challenged, its ACK hop by hop, the retry with credentials, CSeq+1 and a new
# branch; the UPDATE with SDP; the BYE challenged, retried with CSeq+1 and an Authorization verifyauth accepts.
check "in-dialog auth: SIPp saw the re-INVITE and the BYE retried with credentials, and the UPDATE" \
  sipp_passed "$sipp_pid"
check "in-dialog auth: the re-INVITE's digest is right for password 1234" digest_ok "$rig_work/sipp-authdlg-msg.log" \
  1234 INVITE
check "in-dialog auth: agent exit 0" test "$call_status" -eq 0
check "in-dialog auth: reinvite status=200, update status=200, ended by=local" bash -c '
  grep -q "^reinvite status=200$" "$1" && grep -q "^update status=200$" "$1" && grep -q "^ended by=local$" "$1"' _ \
  "$rig_work/call-authdlg.log"

rig_log "outbound proxy (preloaded Route) and Record-Route"
sipp_uas route uas_route 5118
call call-route call --target "sip:3001@callgate.invalid" --proxy "sip:127.0.0.1:5118" --talk 1
check "route: SIPp saw the Request-URI kept and Route: <sip:127.0.0.1:5118;lr> on INVITE, ACK and BYE" \
  sipp_passed "$sipp_pid"
check "route: agent exit 0" test "$call_status" -eq 0
check "route: answered, ended by=local" bash -c 'grep -q "^answered status=200 sdp=yes$" "$1" &&
  grep -q "^ended by=local$" "$1"' _ "$rig_work/call-route.log"

rig_log "our MESSAGE (RFC 3428) through a 407 challenge"
sipp_uas message-out uas_message 5120
call message-out message --target "sip:3001@127.0.0.1:5120" --user 3000 --password 1234 --text "hello callgate"
check "MESSAGE out: SIPp saw text/plain 'hello callgate' without, then with Proxy-Authorization" sipp_passed "$sipp_pid"
check "MESSAGE out: the digest is right for password 1234" digest_ok "$rig_work/sipp-message-out-msg.log" 1234 MESSAGE
check "MESSAGE out: agent exit 0" test "$call_status" -eq 0
check "MESSAGE out: message status=200 reason=OK" has message-out '^message status=200 reason=OK$'

# --- extensions: SIPp calls our UA --------------------------------------------------------------------------

rig_log "session timers (RFC 4028): 422 below our Min-SE, then a refresh by UPDATE"
check "session timer: agent listening" wait_agent wait-timer 5122 --answer-after 0
status=0
# shellcheck disable=SC2046
rig_in timeout -k 2 10 sipp 127.0.0.1:5122 -sf "$scenarios/uac_session_timer.xml" -s 3002 \
  $(sipp_args timer 5124) >"$rig_work/sipp-timer.log" 2>&1 || status=$?
check "session timer: SIPp got 422 (Min-SE: 90), then Session-Expires: 120;refresher=uac, Require: timer" \
  test "$status" -eq 0
check "session timer: session-timer expires=120 refresher=uac" has wait-timer \
  '^session-timer expires=120 refresher=uac$'
check "session timer: answered once, ended by=remote" bash -c '[ "$(grep -c "^answered$" "$1")" -eq 1 ] &&
  grep -q "^ended by=remote$" "$1"' _ "$rig_work/wait-timer.log"
check "session timer: agent exits 0 after its one call" exits_with 5 "$wait_pid" 0

rig_log "a MESSAGE (RFC 3428) to us"
check "MESSAGE in: agent listening" wait_agent wait-message 5126
status=0
# shellcheck disable=SC2046
rig_in timeout -k 2 10 sipp 127.0.0.1:5126 -sf "$scenarios/uac_message.xml" -s 3002 \
  $(sipp_args message-in 5128) >"$rig_work/sipp-message-in.log" 2>&1 || status=$?
check "MESSAGE in: SIPp got 200" test "$status" -eq 0
check "MESSAGE in: message-in with the sender, type and body" rig_wait_for 3 "$rig_work/wait-message.log" \
  '^message-in from=sip:sipp@127\.0\.0\.1:5128 type=text/plain body=ping from sipp[[:space:]]*$'
check "MESSAGE in: no call" lacks wait-message '^incoming '
# It still waits for a call: stopped by its PID, it has nothing to end and exits 0.
kill -TERM "$wait_pid" 2>/dev/null || true
check "MESSAGE in: agent exits 0 on SIGTERM" exits_with 5 "$wait_pid" 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
