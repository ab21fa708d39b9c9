// The WCS client API (PROTOCOL.md §1-2, ADR 0005) spoken by a plain WebSocket client against a running callgate
// and the test Kamailio (users 3000-3009, password 1234). Run by client_api_test.sh inside its network namespace:
//   ip netns exec NS node --test tests/e2e/protocol.test.mjs
// Users: 3000, 3001 (register), 3002 (wrong password, then grace expiry on the limits gateway), 3003 (unREGISTER
// on close), 3004 (keepAlive resume), 3006 (never registers), 3009 (wss). 3005, 3007, 3008 belong to the browser
// tests.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, test } from 'node:test';
import {
  WcsClient,
  env,
  establish,
  kamContacts,
  randomHex,
  requireGateway,
  sdkConnectionFields,
  sipFields,
  sleep,
  waitGoneFromKamailio,
  waitRegisteredAtKamailio,
  wsUrl,
} from './lib.mjs';

const clients = [];
async function open(url = wsUrl(), options = {}) {
  const c = await WcsClient.open(url, options);
  clients.push(c);
  return c;
}
afterEach(async () => {
  const done = clients.splice(0);
  await Promise.all(done.map((c) => c.close()));
  const bad = done.flatMap((c) => c.badEnvelopes);
  assert.deepEqual(bad, [], 'frames from the gateway that are not {"message": NAME, "data": [ARG]}');
});

// The `connection` fields PROTOCOL.md §2 lists: getUserData echoes these (never sipPassword).
const echoed = [
  'appKey', 'mediaProviders', 'keepAlive', 'clientVersion', 'clientOSVersion', 'clientBrowserVersion', 'custom',
  'sipLogin', 'sipAuthenticationName', 'sipVisibleName', 'sipDomain', 'sipOutboundProxy', 'sipProxy', 'sipPort',
  'sipRegisterRequired', 'sipContactParams',
];

function checkUserData(u, sent) {
  assert.equal(typeof u, 'object', `getUserData data[0] is not an object: ${JSON.stringify(u)}`);
  for (const key of echoed) {
    if (!(key in sent)) continue;
    if (key === 'sipPort') {
      assert.equal(String(u.sipPort), String(sent.sipPort), 'getUserData does not echo sipPort');
    } else {
      assert.deepEqual(u[key], sent[key], `getUserData does not echo ${key}`);
    }
  }
  assert.ok(!('sipPassword' in u), 'getUserData must never carry sipPassword');
  assert.match(String(u.authToken), /^[0-9a-fA-F]{32}$/, 'authToken is not 128 bits in hex (32 hex digits)');
  assert.equal(typeof u.sessionId, 'string', 'getUserData has no sessionId string');
  assert.ok(u.sessionId.length > 0, 'getUserData sessionId is empty');
  assert.equal(u.status, 'ESTABLISHED');
}

function infoOf(frame) {
  const info = frame?.data?.[0]?.info;
  assert.equal(typeof info, 'string', `fail without an info string: ${JSON.stringify(frame)}`);
  assert.ok(info.trim().length > 0, `fail with an empty info: ${JSON.stringify(frame)}`);
  return info;
}

// ADR 0005: the close reason is the fail's info, cut to the 123 bytes a close frame allows.
function checkCloseReason(close, info) {
  assert.ok(close.reason.length > 0, `close ${close.code} without a reason`);
  assert.ok(Buffer.byteLength(close.reason) <= 123, 'close reason longer than 123 bytes');
  assert.ok(info.startsWith(close.reason), `close reason "${close.reason}" is not the start of the info "${info}"`);
}

// REGISTER requests Kamailio has logged so far (its request_route logs "cg-capture: METHOD ...").
function registersSeen() {
  if (!env.kamLog) return null;
  return (readFileSync(env.kamLog, 'utf8').match(/cg-capture: REGISTER /g) || []).length;
}

async function registered(c, ms = 5000) {
  const f = await c.next((m) => m.message === 'registered' || m.message === 'fail', ms, '"registered"');
  assert.equal(f.message, 'registered', `registration failed: ${JSON.stringify(f)}`);
  return f.data?.[0];
}

describe('session', () => {
  test('sipRegisterRequired false: getUserData echoes the fields without sipPassword, and no REGISTER goes out', { timeout: 15000 }, async () => {
    const c = await open();
    const before = registersSeen();
    const fields = sdkConnectionFields(sipFields('3006', { register: false }));
    checkUserData(await establish(c, fields), fields);
    await sleep(2000);
    assert.deepEqual(c.take('registered'), [], 'registered came though sipRegisterRequired was false');
    assert.deepEqual(c.take('fail'), [], 'an unexpected fail');
    assert.deepEqual(await kamContacts('3006'), [], '3006 is in Kamailio\'s location table');
    if (before !== null) assert.equal(registersSeen(), before, 'Kamailio received a REGISTER');
    assert.ok(c.isOpen, 'the socket closed');
  });

  test('3000/1234 with sipPort "5060": getUserData then registered, and Kamailio holds 3000', { timeout: 15000 }, async () => {
    assert.deepEqual(await kamContacts('3000'), [], 'precondition: 3000 not registered yet');
    const c = await open();
    const fields = sdkConnectionFields(sipFields('3000', { port: String(env.kamPort) }));
    const u = await establish(c, fields);
    checkUserData(u, fields);
    const r = await registered(c);
    assert.equal(r?.status, 'REGISTERED');
    assert.equal(r?.sessionId, u.sessionId, 'registered carries another sessionId than getUserData');
    assert.equal(r?.sipStatus, 200);
    const contacts = await waitRegisteredAtKamailio('3000', 3000);
    for (const contact of contacts) {
      assert.ok(!contact.includes(u.authToken), `the authToken shows on the SIP side: ${contact}`);
    }
  });

  test('3001/1234 with sipPort as the number 5060 and no sipAuthenticationName: registered', { timeout: 15000 }, async () => {
    const c = await open();
    const fields = sdkConnectionFields(sipFields('3001', { port: env.kamPort, authName: null }));
    checkUserData(await establish(c, fields), fields);
    assert.equal((await registered(c))?.status, 'REGISTERED');
    await waitRegisteredAtKamailio('3001', 3000);
  });

  test('"data":[null] and frames without "data" are accepted', { timeout: 10000 }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    c.sendRaw('{"message":"ping","data":[null]}');
    await c.next('pong', 3000, 'pong to a ping with "data":[null]');
    c.sendRaw('{"message":"ping"}');
    await c.next('pong', 3000, 'pong to a ping without "data"');
    c.sendRaw('{"message":"pong"}');
    await sleep(500);
    assert.deepEqual(c.take('fail'), [], 'a fail for a valid frame');
    assert.ok(c.isOpen);
  });
});

describe('registration failures', () => {
  test('wrong password: fail RegistrationStatusEvent FAILED 401, then close 4403, within a few seconds', { timeout: 15000 }, async () => {
    const c = await open();
    const start = Date.now();
    await establish(c, sdkConnectionFields(sipFields('3002', { password: 'wrong' })));
    const fail = await c.next('fail', 5000);
    const d = fail.data?.[0];
    assert.equal(d?.apiMethod, 'RegistrationStatusEvent');
    assert.equal(d?.status, 'FAILED');
    assert.equal(d?.sipStatus, 401);
    const info = infoOf(fail);
    const close = await c.closed(3000);
    assert.equal(close.code, 4403, `closed with ${close.code} "${close.reason}"`);
    assert.ok(close.at - start < 6000, `took ${close.at - start} ms`);
    assert.deepEqual(c.take('registered'), []);
    assert.deepEqual(await kamContacts('3002'), []);
    checkCloseReason(close, info);
  });

  test('registrar unreachable: fail with sipStatus 408 or 503, then close 4403', { timeout: 25000 }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3002', { port: '5999' })));
    const fail = await c.next('fail', 15000);
    const d = fail.data?.[0];
    assert.equal(d?.apiMethod, 'RegistrationStatusEvent');
    assert.equal(d?.status, 'FAILED');
    assert.ok([408, 503].includes(d?.sipStatus), `sipStatus ${d?.sipStatus}, expected 408 or 503`);
    const info = infoOf(fail);
    const close = await c.closed(3000);
    assert.equal(close.code, 4403, `closed with ${close.code} "${close.reason}"`);
    checkCloseReason(close, info);
  });
});

describe('SIP identity', () => {
  test('sipLogin "Ralf C12441@host.com": a clear outcome within 10 s (registered, or fail with an info)', { timeout: 15000 }, async () => {
    const c = await open();
    c.send('connection', sdkConnectionFields(sipFields('Ralf C12441@host.com')));
    const outcome = await c.next((m) => m.message === 'registered' || m.message === 'fail', 10000, 'registered or fail (silence is the WCS bug)');
    if (outcome.message === 'fail') {
      const info = infoOf(outcome);
      const d = outcome.data[0];
      if (d.apiMethod === 'RegistrationStatusEvent') {
        // Escaped and sent: Kamailio has no such user.
        assert.ok(Number.isInteger(d.sipStatus) && d.sipStatus >= 400, `sipStatus ${d.sipStatus}`);
      } else {
        // Refused at connection time: the info names the field and the rule.
        assert.match(info, /sipLogin/, 'the fail does not name sipLogin');
        assert.match(info, /RFC ?3261/, 'the fail does not name RFC 3261');
      }
    }
  });

  test('sipLogin "<3000>": fail naming sipLogin and the rule, close 4400, no REGISTER', { timeout: 10000 }, async () => {
    const c = await open();
    const before = registersSeen();
    c.send('connection', sdkConnectionFields(sipFields('<3000>')));
    const fail = await c.next((m) => m.message === 'fail' || m.message === 'getUserData', 5000, 'fail');
    assert.equal(fail.message, 'fail', 'getUserData for an invalid sipLogin');
    assert.equal(fail.data?.[0]?.apiMethod, 'connection');
    const info = infoOf(fail);
    assert.match(info, /sipLogin/, 'the info does not name sipLogin');
    assert.ok(info.replace('sipLogin', '').trim().length >= 10, `the info does not state the rule: "${info}"`);
    const close = await c.closed(3000);
    assert.equal(close.code, 4400, `closed with ${close.code} "${close.reason}"`);
    await sleep(500);
    if (before !== null) assert.equal(registersSeen(), before, 'a REGISTER went out for an invalid sipLogin');
    checkCloseReason(close, info);
  });

  test('connection with sipPort true (wrong type): fail naming sipPort, close 4400', { timeout: 10000 }, async () => {
    const c = await open();
    c.send('connection', sdkConnectionFields(sipFields('3006', { port: true })));
    const fail = await c.next((m) => m.message === 'fail' || m.message === 'getUserData', 5000, 'fail');
    assert.equal(fail.message, 'fail', 'getUserData for sipPort true');
    assert.equal(fail.data?.[0]?.apiMethod, 'connection');
    const info = infoOf(fail);
    assert.match(info, /sipPort/, 'the info does not name sipPort');
    const close = await c.closed(3000);
    assert.equal(close.code, 4400, `closed with ${close.code} "${close.reason}"`);
    checkCloseReason(close, info);
  });
});

describe('keep-alive', () => {
  const intervalMs = env.pingIntervalS * 1000;

  test('the server sends ping [null] every ws.ping_interval_s', { timeout: 10000 + 5 * intervalMs }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    const pings = [];
    for (let i = 0; i < 4; i++) pings.push(await c.next('ping', 2 * intervalMs + 1000, `ping ${i + 1}`));
    assert.deepEqual(pings[0].data, [null], 'ping is not {"message":"ping","data":[null]}');
    const t = c.pings.slice(-4);
    for (let i = 1; i < t.length; i++) {
      const gap = t[i] - t[i - 1];
      assert.ok(gap > 0.5 * intervalMs && gap < 1.75 * intervalMs, `pings ${gap} ms apart, expected about ${intervalMs}`);
    }
  });

  test('a client that never answers pong is closed with 4408 after ws.max_missed_pongs pings', { timeout: 15000 + 5 * intervalMs }, async () => {
    const c = await open(wsUrl(), { autoPong: false });
    const start = Date.now();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    const close = await c.closed((env.maxMissedPongs + 4) * intervalMs);
    assert.equal(close.code, 4408, `closed with ${close.code} "${close.reason}"`);
    assert.ok(c.pings.length >= env.maxMissedPongs, `closed after ${c.pings.length} pings`);
    assert.ok(close.at - start >= (env.maxMissedPongs - 1) * intervalMs, `closed after only ${close.at - start} ms`);
  });

  test('a client that answers pong stays, and a client ping gets pong', { timeout: 15000 + 6 * intervalMs }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    await sleep((env.maxMissedPongs + 2) * intervalMs);
    assert.ok(c.isOpen, `closed: ${JSON.stringify(c.closeInfo)}`);
    assert.ok(c.pings.length >= env.maxMissedPongs, `only ${c.pings.length} pings`);
    c.send('ping');
    const pong = await c.next('pong', 3000);
    assert.deepEqual(pong.data, [null], 'pong is not {"message":"pong","data":[null]}');
  });
});

describe('bad frames', () => {
  test('each bad frame gets fail with an info (and apiMethod when named); the session keeps working', { timeout: 20000 }, async () => {
    const c = await open();
    const fields = sdkConnectionFields(sipFields('3006', { register: false }));
    await establish(c, fields);
    const cases = [
      ['malformed JSON', '{"message":"ping","data":[null]', undefined],
      ['a JSON array', '[{"message":"ping","data":[null]}]', undefined],
      ['a JSON string', '"ping"', undefined],
      ['an object without message', '{"data":[null]}', undefined],
      ['a message name that is a number', '{"message":42,"data":[null]}', undefined],
      ['an unknown message', '{"message":"noSuchMessage","data":[null]}', 'noSuchMessage'],
      ['a second connection', JSON.stringify({ message: 'connection', data: [fields] }), 'connection'],
    ];
    for (const [what, raw, apiMethod] of cases) {
      c.sendRaw(raw);
      const fail = await c.next('fail', 3000, `fail for ${what}`);
      infoOf(fail);
      if (apiMethod) assert.equal(fail.data[0].apiMethod, apiMethod, `apiMethod of the fail for ${what}`);
      c.send('ping');
      await c.next('pong', 3000, `pong after ${what}`);
      assert.ok(c.isOpen, `the socket closed after ${what}`);
    }
    assert.deepEqual(c.take('getUserData'), [], 'a second getUserData for the second connection');
  });

  test('a message before connection gets fail with its apiMethod, and connection still works', { timeout: 10000 }, async () => {
    const c = await open();
    c.send('hangup', { callId: 'no-such-call' });
    const fail = await c.next('fail', 3000, 'fail for hangup before connection');
    assert.equal(fail.data?.[0]?.apiMethod, 'hangup');
    infoOf(fail);
    assert.ok(c.isOpen);
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
  });

  test('a frame larger than ws.max_frame_bytes closes the socket with 1009', { timeout: 10000 }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    c.send('pong', 'x'.repeat(env.maxFrameBytes + 1024));
    const close = await c.closed(3000);
    assert.equal(close.code, 1009, `closed with ${close.code} "${close.reason}"`);
  });

  test('a burst of 200 frames: the excess is dropped, answered by a few fails at most, the socket stays', { timeout: 15000 }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    await sleep(2500); // a full bucket
    for (let i = 0; i < 200; i++) c.send('ping');
    await sleep(1500);
    const pongs = c.take('pong').length;
    const fails = c.take('fail');
    const burst = 2 * env.maxMessagesPerSecond;
    assert.ok(pongs >= 1, 'no pong at all: nothing of the burst was taken');
    assert.ok(pongs <= burst + 2 * env.maxMessagesPerSecond, `${pongs} pongs: the limit (burst ${burst}) did not drop`);
    assert.ok(fails.length >= 1, 'no fail said that frames were dropped');
    assert.ok(fails.length <= 3, `${fails.length} fails: the answers amplify the flood`);
    for (const f of fails) infoOf(f);
    assert.ok(c.isOpen, `closed: ${JSON.stringify(c.closeInfo)}`);
    await sleep(1500);
    c.send('ping');
    await c.next('pong', 3000, 'pong once the bucket refilled');
  });
});

describe('socket loss and resume', () => {
  test('a socket lost without keepAlive unREGISTERs within a few seconds', { timeout: 15000 }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3003')));
    await registered(c);
    await waitRegisteredAtKamailio('3003', 3000);
    await c.drop();
    await waitGoneFromKamailio('3003', 5000);
  });

  test('keepAlive: the registration outlives the socket; {authToken, keepAlive} resumes it; a second resume closes the first with 4409', { timeout: 25000 }, async () => {
    const first = await open();
    const u = await establish(first, sdkConnectionFields({ ...sipFields('3004'), keepAlive: true }));
    await registered(first);
    await waitRegisteredAtKamailio('3004', 3000);
    await first.drop();
    await sleep(2000);
    assert.ok((await kamContacts('3004')).length > 0, '3004 unregistered though keepAlive was true');

    const resume = sdkConnectionFields({ keepAlive: true, authToken: u.authToken });
    const second = await open();
    const u2 = await establish(second, resume);
    assert.equal(u2?.authToken, u.authToken, 'resumed with another authToken');
    assert.equal(u2?.sessionId, u.sessionId, 'resumed another session');
    assert.equal(u2?.status, 'ESTABLISHED');
    assert.ok(!('sipPassword' in u2), 'getUserData carries sipPassword');
    assert.equal((await registered(second))?.status, 'REGISTERED');

    const third = await open();
    const u3 = await establish(third, resume);
    assert.equal(u3?.sessionId, u.sessionId);
    const close = await second.closed(3000);
    assert.equal(close.code, 4409, `the replaced socket closed with ${close.code} "${close.reason}"`);
    assert.ok(third.isOpen);
    assert.ok((await kamContacts('3004')).length > 0, '3004 unregistered by the resume');
  });

  test('an unknown authToken without credentials closes with 4404', { timeout: 10000 }, async () => {
    const c = await open();
    c.send('connection', sdkConnectionFields({ keepAlive: true, authToken: randomHex(16) }));
    const close = await c.closed(5000);
    assert.equal(close.code, 4404, `closed with ${close.code} "${close.reason}"`);
    assert.deepEqual(c.take('getUserData'), [], 'getUserData for an unknown authToken');
  });
});

describe('calls', () => {
  test('a call whose sdp is no WebRTC offer: fail naming call.sdp, and finish FAILED for its callId', { timeout: 10000 }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    const callId = `e2e-${randomHex(8)}`;
    c.send('call', {
      callId, incoming: false, hasAudio: true, hasVideo: false, status: 'PENDING', mediaProvider: 'WebRTC',
      sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n', sipSDP: [], caller: '3006', callee: '3001',
      visibleName: 'e2e', custom: {},
    });
    const fail = await c.next((m) => m.message === 'fail' && m.data?.[0]?.apiMethod === 'call', 5000, 'fail with apiMethod call');
    assert.match(infoOf(fail), /call\.sdp/);
    const finish = await c.next((m) => m.message === 'finish' && m.data?.[0]?.callId === callId, 5000, `finish for ${callId}`);
    assert.equal(finish.data[0].status, 'FAILED');
    assert.equal(finish.data[0].info, 'Failed by session creation');
    assert.ok(c.isOpen);
  });

  test('hangup of a call the session does not have: fail naming hangup.callId, the socket stays', { timeout: 10000 }, async () => {
    const c = await open();
    await establish(c, sdkConnectionFields(sipFields('3006', { register: false })));
    c.send('hangup', { callId: 'no-such-call' });
    const fail = await c.next((m) => m.message === 'fail' && m.data?.[0]?.apiMethod === 'hangup', 5000, 'fail with apiMethod hangup');
    assert.match(infoOf(fail), /hangup\.callId/);
    assert.ok(c.isOpen);
  });
});

describe('wss', () => {
  test('over wss: getUserData and registered (3009)', { skip: env.wssPort ? false : 'CG_WSS_PORT not set', timeout: 15000 }, async () => {
    const c = await open(`wss://${env.host}:${env.wssPort}`, {
      wsOptions: env.tlsCert ? { ca: readFileSync(env.tlsCert) } : { rejectUnauthorized: false },
    });
    const fields = sdkConnectionFields(sipFields('3009'));
    checkUserData(await establish(c, fields), fields);
    await registered(c);
    await waitRegisteredAtKamailio('3009', 3000);
    await c.close();
    await waitGoneFromKamailio('3009', 5000);
  });
});

describe('limits gateway (small ws.max_sessions and ws.keep_alive_grace_s)', { skip: env.limitsWsPort ? false : 'CG_LIMITS_WS_PORT not set' }, () => {
  const url = () => wsUrl(env.limitsWsPort);

  test('ws.max_sessions: the extra connection gets fail and close 4503; a freed slot is usable again', { timeout: 15000 }, async () => {
    await requireGateway(env.limitsWsPort, 'the limits gateway');
    const fields = sdkConnectionFields(sipFields('3006', { register: false }));
    const held = [];
    for (let i = 0; i < env.limitsMaxSessions; i++) {
      const c = await open(url());
      await establish(c, fields);
      held.push(c);
    }
    const extra = await open(url());
    extra.send('connection', fields);
    const fail = await extra.next((m) => m.message === 'fail' || m.message === 'getUserData', 5000, 'fail');
    assert.equal(fail.message, 'fail', `session ${env.limitsMaxSessions + 1} of max ${env.limitsMaxSessions} was accepted`);
    const info = infoOf(fail);
    const close = await extra.closed(3000);
    assert.equal(close.code, 4503, `closed with ${close.code} "${close.reason}"`);
    checkCloseReason(close, info);

    await held[0].close();
    await sleep(300);
    await establish(await open(url()), fields);
  });

  test('ws.keep_alive_grace_s: a detached session ends after the grace (unREGISTER), its authToken then closes with 4404', { timeout: 15000 + 1000 * env.limitsGraceS }, async () => {
    await requireGateway(env.limitsWsPort, 'the limits gateway');
    const c = await open(url());
    const u = await establish(c, sdkConnectionFields({ ...sipFields('3002'), keepAlive: true }));
    await registered(c);
    await waitRegisteredAtKamailio('3002', 3000);
    await c.drop();
    await waitGoneFromKamailio('3002', 1000 * env.limitsGraceS + 5000);
    const again = await open(url());
    again.send('connection', sdkConnectionFields({ keepAlive: true, authToken: u.authToken }));
    const close = await again.closed(5000);
    assert.equal(close.code, 4404, `closed with ${close.code} "${close.reason}"`);
  });
});
