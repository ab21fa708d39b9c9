#!/usr/bin/env bash
# Interop: callgate's SIP stack registers with a real Kamailio (registrar with digest auth, no database)
# over UDP and TCP, is seen in Kamailio's location table with its session-unique Contact, unregisters and is
# gone; a wrong password fails with the registrar's 401 and a reason naming the realm.
# Usage: kamailio_register_test.sh PATH/TO/callgate-sip
set -euo pipefail
agent=$1
source "$(dirname "$0")/rig.sh"

rig_require timeout
rig_netns
kam_port=5060
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

for transport in udp tcp; do
  out=$rig_work/register-$transport.log
  ip netns exec "$rig_ns" timeout -k 2 30 "$agent" --transport "$transport" --listen 127.0.0.1 register \
    --registrar "sip:127.0.0.1:$kam_port;transport=$transport" --user 3000 --password 1234 --expires 120 --hold 3 \
    >"$out" 2>&1 &
  agent_pid=$!
  rig_pids+=("$agent_pid")
  check "$transport: registered" rig_wait_for 10 "$out" '^registered expires=120 contact=<sip:3000@127.0.0.1:[0-9]+'
  token=$(sed -n 's/.*;cg=\([0-9a-f]*\)>.*/\1/p' "$out" | head -n 1)
  check "$transport: the Contact carries a session token" test -n "$token"
  lookup=$(rig_kamcmd ul.lookup location s:3000 2>&1 || true)
  check "$transport: Kamailio's location table holds our Contact" grep -q "cg=$token" <<<"$lookup"
  check "$transport: agent exits 0 after unregistering" wait "$agent_pid"
  check "$transport: agent said unregistered" grep -q '^unregistered$' "$out"
  lookup=$(rig_kamcmd ul.lookup location s:3000 2>&1 || true)
  check "$transport: Contact removed from Kamailio" bash -c "! grep -q 'cg=$token' <<<\"\$1\"" _ "$lookup"
done

out=$rig_work/wrong-password.log
status=0
rig_in timeout -k 2 30 "$agent" register --registrar "sip:127.0.0.1:$kam_port" --user 3001 --password wrong \
  --hold 0 >"$out" 2>&1 || status=$?
check "wrong password: exit code 1" test "$status" -eq 1
check "wrong password: 401 and the realm named" grep -qE '^failed status=401 reason=.*wrong credentials for realm "?127.0.0.1' "$out"

status=0
rig_in timeout -k 2 30 "$agent" --t1-ms 100 register --registrar "sip:127.0.0.1:5999" --user 3002 --password 1234 \
  >"$rig_work/no-registrar.log" 2>&1 || status=$?
check "no registrar: exit code 1" test "$status" -eq 1
check "no registrar: fails with 408 after Timer F (64*T1)" grep -q '^failed status=408 reason=no answer from the registrar at udp:127.0.0.1:5999' \
  "$rig_work/no-registrar.log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
