// SIP calls end to end (issue 6), run by sip_call_test.sh once per Kamailio flow (CG_FLOW "direct": Kamailio
// relays signalling only; "relay": rtpengine relays the media too). The WebSDK in headless Chromium (fake
// microphone: a 440 Hz tone) calls baresip 3001 (it answers and plays 1000 Hz, recording what it hears), and
// baresip calls the browser. Audio is verified both ways by frequency: the page's analyser must find 1000 Hz
// and baresip's recording 440 Hz. The direct flow also runs the SIPp failure paths (a plain WebSocket client
// with a captured Chromium offer), client-side failures, two browser sessions calling each other with no SIP
// server, and /metrics (nothing left behind).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile, open as openFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, afterEach, before, describe, test } from 'node:test';
import { startBrowserRig, toneWav } from './browser_rig.mjs';
import { WcsClient, env, establish, kamContacts, requireGateway, sdkConnectionFields, sleep, waitFor, wsUrl } from './lib.mjs';

const run = promisify(execFile);
const flow = process.env.CG_FLOW || 'direct';
const browserHz = 440;
const baresipHz = 1000;
const baresipDir = process.env.CG_BARESIP_DIR || '';
const baresipLog = process.env.CG_BARESIP_LOG || '';
const sippDir = process.env.CG_SIPP_DIR || '';
const toneTool = process.env.CG_TONE_TOOL || '';
const noAnswerS = Number.parseInt(process.env.CG_NO_ANSWER_S || '4', 10);
const rtpTimeoutS = Number.parseInt(process.env.CG_RTP_TIMEOUT_S || '5', 10);
const gatewaySipPort = Number.parseInt(process.env.CG_GW_SIP_PORT || '5070', 10);
const work = process.env.CG_WORK || process.env.HOME || '/tmp';
const here = path.dirname(fileURLToPath(import.meta.url));

let rig;
let rig1000; // a second browser whose microphone plays 1000 Hz (the local-call test), made when needed

before(async () => {
  const wav = path.join(work, `browser-tone-${browserHz}.wav`);
  await writeFile(wav, toneWav(browserHz));
  rig = await startBrowserRig({ audioFile: wav });
});

after(async () => {
  await rig?.close();
  await rig1000?.close();
});

afterEach(async () => {
  await rig?.closePages();
  await rig1000?.closePages();
});

// ---- helpers ---------------------------------------------------------------------------------------------

const kamailioAccount = (login) => ({ login, authenticationName: login, password: '1234', domain: env.host, outboundProxy: env.host, port: String(env.kamPort), registerRequired: true });

async function openPhone(r, sipOptions) {
  await requireGateway();
  const page = await r.newPage('/echo.html');
  await page.evaluate((o) => window.cgConnect(o), { urlServer: wsUrl(), sipOptions });
  return page;
}

const callEvents = (page) => page.evaluate(() => window.callEvents);
const statuses = async (page) => (await callEvents(page)).map((e) => e.status);

async function waitCallStatus(page, status, ms = 15000) {
  return waitFor(
    async () => (await callEvents(page)).find((e) => e.status === status),
    ms,
    `call status ${status} (statuses so far: ${(await statuses(page).catch(() => [])).join(',')}; console: ${page.consoleLines.slice(-5).join(' | ') || 'none'})`,
  );
}

const framesNamed = (page, name) => page.evaluate((n) => window.wsReceived.map((f) => JSON.parse(f)).filter((f) => f.message === n), name);

// The loudest frequency of the page's remote audio must be `hz` in most of 12 samples.
async function assertPageHears(page, hz) {
  const peaks = await page.evaluate(() => window.cgPeakFrequency(12, 200));
  const hits = peaks.filter((p) => Math.abs(p.hz - hz) <= 15 && p.db > -90);
  assert.ok(hits.length >= 8, `${hz} Hz not heard by the browser; peaks: ${JSON.stringify(peaks.map((p) => [Math.round(p.hz), Math.round(p.db)]))}`);
}

async function baresipCmd(line) {
  const fifo = await openFile(path.join(baresipDir, 'stdin'), 'w');
  try {
    await fifo.write(`${line}\n`);
  } finally {
    await fifo.close();
  }
}

const baresipLogText = () => readFile(baresipLog, 'utf8').catch(() => '');

// The newest recording of what baresip heard that was written after `since` (ms).
async function baresipHeard(since) {
  const dir = path.join(baresipDir, 'rec');
  return waitFor(async () => {
    const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('-dec.wav'));
    let best = null;
    for (const f of files) {
      const s = await stat(path.join(dir, f));
      if (s.mtimeMs >= since - 1000 && s.size > 44 && (!best || s.mtimeMs > best.t)) best = { file: path.join(dir, f), t: s.mtimeMs };
    }
    return best?.file;
  }, 5000, `a baresip recording in ${dir}`);
}

async function dominantHz(file) {
  try {
    const { stdout } = await run('python3', [toneTool, file, '1'], { timeout: 20000 });
    return Number.parseInt(stdout.trim(), 10);
  } catch (e) {
    return `none (${(e.stderr || e.message).trim()})`;
  }
}

async function assertBaresipHeard(since, hz) {
  const file = await baresipHeard(since);
  const measured = await dominantHz(file);
  assert.ok(typeof measured === 'number' && Math.abs(measured - hz) <= 30, `baresip heard ${measured} Hz in ${file}, expected ${hz}`);
}

// The calls baresip saw end, from its log.
const baresipClosedCalls = async () => ((await baresipLogText()).match(/call closed|session closed|Call terminated/gi) || []).length;

async function metrics() {
  const res = await fetch(`http://${env.host}:${env.httpPort}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

function metricValue(text, name, labels = '') {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : undefined;
}

// ---- Browser <-> baresip, through Kamailio (both flows) ----------------------------------------------------

test(`[${flow}] browser calls baresip 3001: TRYING, RING, ESTABLISHED, 1000 Hz heard in the browser, 440 Hz heard by baresip, hangup FINISH`, { timeout: 90000 }, async () => {
  const page = await openPhone(rig, kamailioAccount('3000'));
  const started = Date.now();
  const closedBefore = await baresipClosedCalls();
  await page.evaluate(() => window.cgCall({ callee: '3001', video: false }));
  await waitCallStatus(page, 'ESTABLISHED');
  const seen = await statuses(page);
  assert.equal(seen[0], 'TRYING', `statuses: ${seen}`);
  assert.ok(seen.indexOf('ESTABLISHED') > 0, `statuses: ${seen}`);
  await assertPageHears(page, baresipHz);
  assert.equal((await framesNamed(page, 'setRemoteSDP')).length, 1, 'exactly one setRemoteSDP');
  await sleep(1500);
  await page.evaluate(() => window.call.hangup());
  await waitCallStatus(page, 'FINISH');
  assert.ok(!(await statuses(page)).includes('FAILED'), `statuses: ${await statuses(page)}`);
  await waitFor(async () => (await baresipClosedCalls()) > closedBefore, 5000, 'baresip to see the call end (BYE)');
  await assertBaresipHeard(started, browserHz);
  // Where baresip's media came from: the gateway's own ports (media.port_min 20000) when Kamailio relays
  // signalling only, rtpengine's (30000-30999) when it relays the media too.
  const sources = [...(await baresipLogText()).matchAll(/receiving from 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  assert.ok(sources.length > 0, 'baresip never logged where its RTP came from');
  const port = sources.at(-1);
  if (flow === 'relay') assert.ok(port >= 30000 && port <= 30999, `baresip got RTP from port ${port}, not rtpengine's`);
  else assert.ok(port >= 20000 && port <= 20999, `baresip got RTP from port ${port}, not the gateway's`);
});

test(`[${flow}] baresip 3001 calls the browser 3000: setRemoteSDP then notifyIncomingCall, answered, audio both ways, BYE from baresip gives FINISH`, { timeout: 90000 }, async () => {
  const page = await openPhone(rig, kamailioAccount('3000'));
  await page.evaluate(() => { window.cgAutoAnswer = true; });
  const started = Date.now();
  await baresipCmd(`/dial sip:3000@127.0.0.1:${env.kamPort}`);
  await waitCallStatus(page, 'ESTABLISHED', 20000);
  // PROTOCOL.md §4: the offer comes first, then the call.
  const order = await page.evaluate(() => window.wsReceived.map((f) => JSON.parse(f).message).filter((m) => m === 'setRemoteSDP' || m === 'notifyIncomingCall'));
  assert.deepEqual(order.slice(0, 2), ['setRemoteSDP', 'notifyIncomingCall'], `frames: ${order}`);
  const incoming = (await framesNamed(page, 'notifyIncomingCall'))[0].data[0];
  assert.equal(incoming.caller, '3001');
  assert.equal(incoming.incoming, true);
  assert.equal(incoming.status, 'RING');
  await assertPageHears(page, baresipHz);
  await sleep(1500);
  await baresipCmd('/hangup');
  await waitCallStatus(page, 'FINISH');
  await assertBaresipHeard(started, browserHz);
});

// ---- SIPp failure paths, client failures, local calls (direct flow only) -----------------------------------

const directOnly = flow === 'direct' ? describe : describe.skip;

// A SIPp UAS on 127.0.0.1:port with `scenario`; resolves with its exit status and output when it ends.
function sipp(scenario, port, extra = []) {
  const args = ['-sf', path.join(sippDir, scenario), '-i', '127.0.0.1', '-p', String(port), '-mp', String(port + 1000),
    '-m', '1', '-nostdin', '-timeout', '40s', '-timeout_error'];
  const child = spawn('sipp', [...args, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], cwd: work });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const done = new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
  return { child, done, output: () => output };
}

async function waitListening(port) {
  await waitFor(async () => {
    const { stdout } = await run('ss', ['-lnu']);
    return stdout.includes(`127.0.0.1:${port} `);
  }, 5000, `SIPp listening on ${port}`);
}

const chromiumOffer = () => readFile(path.join(here, '../data/sdp/chromium-offer-audio.sdp'), 'utf8');

// A plain WebSocket client whose SIP account points straight at the SIPp UAS (no SIP server between).
async function sippClient(port) {
  await requireGateway();
  const c = await WcsClient.open();
  await establish(c, sdkConnectionFields({ sipLogin: '3007', sipAuthenticationName: '3007', sipPassword: '1234', sipDomain: '127.0.0.1', sipPort: String(port), sipRegisterRequired: false }));
  return c;
}

async function clientCall(c, callId, callee, extra = {}) {
  c.send('call', { callId, incoming: false, hasAudio: true, hasVideo: false, status: 'PENDING', mediaProvider: 'WebRTC', callee, caller: '3007', visibleName: 'sipp e2e', sdp: await chromiumOffer(), ...extra });
}

// Every status frame of `callId` until a final one.
async function callStatuses(c, callId, ms = 15000) {
  const seen = [];
  for (;;) {
    const f = await c.next((m) => ['notifyTryingResponse', 'ring', 'talk', 'finish'].includes(m.message) && m.data?.[0]?.callId === callId, ms, `a status of ${callId} after ${seen.map((s) => s.status)}`);
    seen.push(f.data[0]);
    if (f.message === 'finish') return seen;
  }
}

directOnly('SIPp failure paths (a WebSocket client calling a SIPp UAS directly)', () => {
  let port = 5200;
  const nextPort = () => (port += 4);

  test('486 Busy Here: TRYING then BUSY with sipStatus 486', { timeout: 30000 }, async () => {
    const p = nextPort();
    const uas = sipp('uas_busy.xml', p);
    await waitListening(p);
    const c = await sippClient(p);
    try {
      await clientCall(c, 'busy-1', `486@127.0.0.1:${p}`);
      const seen = await callStatuses(c, 'busy-1');
      assert.deepEqual(seen.map((s) => s.status), ['TRYING', 'BUSY']);
      assert.equal(seen[1].sipStatus, 486);
      assert.equal((await uas.done).code, 0, (await uas.done).output);
    } finally {
      await c.close();
      uas.child.kill();
    }
  });

  for (const [status, reason] of [[404, 'Not Found'], [503, 'Service Unavailable']]) {
    test(`${status} ${reason}: FAILED with sipStatus ${status} and the reason as info`, { timeout: 30000 }, async () => {
      const p = nextPort();
      const uas = sipp('uas_status.xml', p, ['-key', 'status', String(status), '-key', 'reason', reason]);
      await waitListening(p);
      const c = await sippClient(p);
      try {
        await clientCall(c, `status-${status}`, `x${status}@127.0.0.1:${p}`);
        const seen = await callStatuses(c, `status-${status}`);
        assert.deepEqual(seen.map((s) => s.status), ['TRYING', 'FAILED']);
        assert.equal(seen[1].sipStatus, status);
        assert.equal(seen[1].info, reason);
        assert.equal((await uas.done).code, 0, (await uas.done).output);
      } finally {
        await c.close();
        uas.child.kill();
      }
    });
  }

  test(`no answer: RING, then after sip.no_answer_timeout_s (${noAnswerS} s) CANCEL and FAILED "Failed by request timeout"`, { timeout: 30000 }, async () => {
    const p = nextPort();
    const uas = sipp('uas_no_answer.xml', p);
    await waitListening(p);
    const c = await sippClient(p);
    try {
      const t0 = Date.now();
      await clientCall(c, 'noanswer-1', `slow@127.0.0.1:${p}`);
      const seen = await callStatuses(c, 'noanswer-1', (noAnswerS + 10) * 1000);
      assert.deepEqual(seen.map((s) => s.status), ['TRYING', 'RING', 'FAILED']);
      assert.equal(seen[2].info, 'Failed by request timeout');
      assert.ok(Date.now() - t0 >= (noAnswerS - 1) * 1000, 'failed before the no-answer time');
      const result = await uas.done;
      assert.equal(result.code, 0, `SIPp did not get its CANCEL: ${result.output}`);
    } finally {
      await c.close();
      uas.child.kill();
    }
  });

  test('183 with SDP then 200: RING_MEDIA then ESTABLISHED, exactly one setRemoteSDP; hangup sends BYE', { timeout: 30000 }, async () => {
    const p = nextPort();
    const uas = sipp('uas_early_media.xml', p);
    await waitListening(p);
    const c = await sippClient(p);
    try {
      await clientCall(c, 'early-1', `early@127.0.0.1:${p}`);
      await c.next((m) => m.message === 'talk', 10000, 'talk');
      assert.equal(c.take('setRemoteSDP').length, 1, 'setRemoteSDP count');
      c.send('hangup', { callId: 'early-1' });
      const fin = await c.next('finish', 5000);
      assert.equal(fin.data[0].status, 'FINISH');
      const seen = c.received.filter((f) => f.data?.[0]?.callId === 'early-1' && f.data[0].status).map((f) => f.data[0].status);
      assert.deepEqual(seen.filter((s, i) => s !== seen[i - 1]), ['TRYING', 'RING_MEDIA', 'ESTABLISHED', 'FINISH']);
      assert.equal((await uas.done).code, 0, (await uas.done).output);
    } finally {
      await c.close();
      uas.child.kill();
    }
  });

  test('BYE from the far end: ESTABLISHED then FINISH; the INVITE carried the inviteParameters headers', { timeout: 30000 }, async () => {
    const p = nextPort();
    const uas = sipp('uas_headers.xml', p);
    await waitListening(p);
    const c = await sippClient(p);
    try {
      await clientCall(c, 'headers-1', `h@127.0.0.1:${p}`, { inviteParameters: { 'X-Cg-Test': 'one', 'X-Cg-Other': 'two' } });
      await c.next((m) => m.message === 'talk', 10000, 'talk');
      c.send('hangup', { callId: 'headers-1' });
      await c.next('finish', 5000);
      assert.equal((await uas.done).code, 0, `SIPp's header check: ${(await uas.done).output}`);
    } finally {
      await c.close();
      uas.child.kill();
    }
    const p2 = nextPort();
    const bye = sipp('uas_bye.xml', p2);
    await waitListening(p2);
    const c2 = await sippClient(p2);
    try {
      await clientCall(c2, 'bye-1', `b@127.0.0.1:${p2}`);
      const seen = await callStatuses(c2, 'bye-1');
      assert.deepEqual(seen.map((s) => s.status).filter((s) => s !== 'RING'), ['TRYING', 'ESTABLISHED', 'FINISH']);
      assert.equal((await bye.done).code, 0, (await bye.done).output);
    } finally {
      await c2.close();
      bye.child.kill();
    }
  });

  test('the SIP side answers G.729 only: FAILED "No common codecs", and the SIP side gets BYE', { timeout: 30000 }, async () => {
    const p = nextPort();
    const uas = sipp('uas_g729.xml', p);
    await waitListening(p);
    const c = await sippClient(p);
    try {
      await clientCall(c, 'g729-1', `g@127.0.0.1:${p}`);
      const seen = await callStatuses(c, 'g729-1');
      assert.equal(seen.at(-1).status, 'FAILED', JSON.stringify(seen));
      assert.equal(seen.at(-1).info, 'No common codecs');
      assert.equal(c.take('setRemoteSDP').length, 0, 'no setRemoteSDP for a call that never had a codec');
      assert.equal((await uas.done).code, 0, `SIPp did not get its BYE: ${(await uas.done).output}`);
    } finally {
      await c.close();
      uas.child.kill();
    }
  });

  test(`no RTP from either leg for media.rtp_timeout_s (${rtpTimeoutS} s): BYE and FAILED "Failed by RTP activity"`, { timeout: 40000 }, async () => {
    const p = nextPort();
    const uas = sipp('uas_early_media.xml', p); // answers, sends no RTP, waits for our BYE
    await waitListening(p);
    const c = await sippClient(p);
    try {
      await clientCall(c, 'rtp-1', `quiet@127.0.0.1:${p}`); // this client never sends media either
      await c.next((m) => m.message === 'talk', 10000, 'talk');
      const t0 = Date.now();
      const fin = await c.next('finish', (rtpTimeoutS + 10) * 1000);
      assert.equal(fin.data[0].status, 'FAILED');
      assert.equal(fin.data[0].info, 'Failed by RTP activity');
      assert.ok(Date.now() - t0 >= (rtpTimeoutS - 2) * 1000, `ended ${Date.now() - t0} ms after ESTABLISHED`);
      assert.equal((await uas.done).code, 0, `SIPp did not get its BYE: ${(await uas.done).output}`);
    } finally {
      await c.close();
      uas.child.kill();
    }
  });

  test('bad inviteParameters: a fail naming the field, the call ends FAILED, nothing sent', { timeout: 15000 }, async () => {
    const c = await sippClient(5999);
    try {
      await clientCall(c, 'badhdr-1', 'x@127.0.0.1:5999', { inviteParameters: { 'Bad Name': 'v' } });
      const fail = await c.next('fail', 3000);
      assert.match(fail.data[0].info, /inviteParameters/);
      assert.equal((await c.next('finish', 3000)).data[0].status, 'FAILED');
    } finally {
      await c.close();
    }
  });
});

directOnly('client-side failures and local calls', () => {
  test('a call to an unregistered number (3009) ends FAILED with Kamailio\'s 404', { timeout: 30000 }, async () => {
    await requireGateway();
    const c = await WcsClient.open();
    try {
      await establish(c, sdkConnectionFields({ sipLogin: '3004', sipAuthenticationName: '3004', sipPassword: '1234', sipDomain: '127.0.0.1', sipOutboundProxy: '127.0.0.1', sipPort: String(env.kamPort), sipRegisterRequired: false }));
      await clientCall(c, 'unreg-1', '3009');
      const seen = await callStatuses(c, 'unreg-1');
      assert.equal(seen.at(-1).status, 'FAILED', JSON.stringify(seen));
      assert.equal(seen.at(-1).sipStatus, 404, JSON.stringify(seen));
      assert.ok(seen.at(-1).info, 'no info');
    } finally {
      await c.close();
    }
  });

  test('a browser whose media goes silent (peer connection closed) ends FAILED "Failed by ICE error" and baresip gets BYE', { timeout: 60000 }, async () => {
    const page = await openPhone(rig, kamailioAccount('3005'));
    const closedBefore = await baresipClosedCalls();
    await page.evaluate(() => window.cgCall({ callee: '3001', video: false }));
    await waitCallStatus(page, 'ESTABLISHED');
    await sleep(1000);
    await page.evaluate(() => window.pcs.forEach((pc) => pc.close()));
    const failed = await waitCallStatus(page, 'FAILED', 20000);
    assert.equal(failed.info, 'Failed by ICE error');
    await waitFor(async () => (await baresipClosedCalls()) > closedBefore, 5000, 'baresip to see the call end (BYE)');
  });

  // The Contact token (cg) the gateway registered for `user` at Kamailio.
  const contactToken = async (user) => {
    const contacts = await waitFor(async () => { const c = await kamContacts(user); return c.length ? c : null; }, 5000, `${user} registered`);
    const m = /;cg=([0-9a-f]+)/.exec(contacts[0]);
    assert.ok(m, `no cg token in ${contacts[0]}`);
    return m[1];
  };

  function sippUac(scenario, port, user, token) {
    return sipp(scenario, port, ['-s', user, '-key', 'cgparam', `cg=${token}`, `127.0.0.1:${gatewaySipPort}`]);
  }

  test('an INVITE without SDP (delayed offer) to the browser: the gateway offers in the 200, the ACK answers, ESTABLISHED, BYE gives FINISH', { timeout: 40000 }, async () => {
    const page = await openPhone(rig, kamailioAccount('3006'));
    await page.evaluate(() => { window.cgAutoAnswer = true; });
    const uac = sippUac('uac_delayed_offer.xml', 5300, '3006', await contactToken('3006'));
    await waitCallStatus(page, 'ESTABLISHED', 20000);
    await waitCallStatus(page, 'FINISH', 15000);
    const result = await uac.done;
    assert.equal(result.code, 0, result.output);
  });

  test('the browser hangs up an incoming call before answering: 486 Busy Here to the caller, FINISH', { timeout: 40000 }, async () => {
    const page = await openPhone(rig, kamailioAccount('3008'));
    const uac = sippUac('uac_declined.xml', 5310, '3008', await contactToken('3008'));
    await waitFor(() => page.evaluate(() => window.incomingCalls.length > 0), 10000, 'the incoming call');
    await sleep(300);
    await page.evaluate(() => window.call.hangup());
    await waitCallStatus(page, 'FINISH');
    const result = await uac.done;
    assert.equal(result.code, 0, result.output);
  });

  test('a call with the camera on (audio+video offer, BUNDLE) to baresip: video declined, audio heard both ways', { timeout: 60000 }, async () => {
    const page = await openPhone(rig, kamailioAccount('3007'));
    const started = Date.now();
    await page.evaluate(() => window.cgCall({ callee: '3001', video: true }));
    await waitCallStatus(page, 'ESTABLISHED');
    const answer = (await framesNamed(page, 'setRemoteSDP'))[0].data[1];
    assert.match(answer, /^m=video 0 /m, 'the video m-line is not declined');
    assert.match(answer, /^m=audio [1-9]\d* /m, 'the audio m-line is not accepted');
    await assertPageHears(page, baresipHz);
    await sleep(1000);
    await page.evaluate(() => window.call.hangup());
    await waitCallStatus(page, 'FINISH');
    await assertBaresipHeard(started, browserHz);
  });

  test('the browser closes mid-call: baresip gets BYE within seconds', { timeout: 60000 }, async () => {
    const page = await openPhone(rig, kamailioAccount('3002'));
    const closedBefore = await baresipClosedCalls();
    await page.evaluate(() => window.cgCall({ callee: '3001', video: false }));
    await waitCallStatus(page, 'ESTABLISHED');
    await sleep(1000);
    const t0 = Date.now();
    await rig.closePages();
    await waitFor(async () => (await baresipClosedCalls()) > closedBefore, 5000, 'baresip to see the call end');
    assert.ok(Date.now() - t0 < 5000);
  });

  test('two browser sessions call each other with no SIP server: audio both ways', { timeout: 90000 }, async () => {
    if (!rig1000) {
      const wav = path.join(work, 'browser-tone-1000.wav');
      await writeFile(wav, toneWav(1000));
      rig1000 = await startBrowserRig({ audioFile: wav });
    }
    const local = (login) => ({ login, authenticationName: login, password: 'x', domain: 'callgate.local', registerRequired: false });
    const callee = await openPhone(rig1000, local('4002'));
    await callee.evaluate(() => { window.cgAutoAnswer = true; });
    const caller = await openPhone(rig, local('4001'));
    await caller.evaluate(() => window.cgCall({ callee: '4002', video: false }));
    await waitCallStatus(caller, 'ESTABLISHED');
    await waitCallStatus(callee, 'ESTABLISHED');
    const incoming = (await framesNamed(callee, 'notifyIncomingCall'))[0].data[0];
    assert.equal(incoming.caller, '4001');
    await assertPageHears(caller, 1000);
    await assertPageHears(callee, browserHz);
    await caller.evaluate(() => window.call.hangup());
    await waitCallStatus(caller, 'FINISH');
    await waitCallStatus(callee, 'FINISH');
  });

  test('/metrics: no call and no media port left behind, packets relayed both ways, ended calls counted', { timeout: 30000 }, async () => {
    // Calls end on both sides within a second or two; the reaper runs on the loop, the relays close on theirs.
    const text = await waitFor(async () => {
      const t = await metrics();
      const live = t.split('\n').filter((l) => l.startsWith('callgate_calls{')).map((l) => Number(l.split(' ').pop()));
      return live.every((v) => v === 0) && metricValue(t, 'callgate_media_ports_open') === 0 ? t : null;
    }, 10000, 'no live call and no media port open in /metrics');
    assert.ok(metricValue(text, 'callgate_rtp_packets_relayed_total', '{direction="to_sip"}') > 0, text);
    assert.ok(metricValue(text, 'callgate_rtp_packets_relayed_total', '{direction="to_webrtc"}') > 0, text);
    assert.ok(/callgate_calls_ended_total\{status="BUSY"/.test(text), text);
    assert.ok(/callgate_calls_ended_total\{status="FAILED",reason="Failed by request timeout"\}/.test(text), text);
  });
});
