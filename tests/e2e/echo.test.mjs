// The echo extension (issue 5) end to end: the WebSDK in headless Chromium calls `echo`; the gateway answers
// itself (ICE-lite, DTLS-SRTP, SRTP) and sends the page's media back. Chromium's fake microphone plays a
// 440 Hz tone (a WAV written here); the page's WebAudio analyser must find 440 Hz in what comes back, and
// getStats() must show packets arriving and growing over a DTLS-connected transport. Audio only and audio
// with video (BUNDLE); a client whose peer connection goes silent ends FAILED "Failed by ICE error"; a bad
// offer gets a fail naming call.sdp and the call ends FAILED, never PENDING.
// Run by client_api_test.sh (suite "echo") inside its network namespace.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { startBrowserRig, toneWav } from './browser_rig.mjs';
import { WcsClient, env, establish, requireGateway, sdkConnectionFields, sleep, waitFor, wsUrl } from './lib.mjs';

const toneHz = 440;
const consentTimeoutS = Number.parseInt(process.env.CG_ICE_CONSENT_TIMEOUT_S || '5', 10);

let rig;

before(async () => {
  const wav = path.join(process.env.HOME || tmpdir(), `tone-${toneHz}.wav`);
  await writeFile(wav, toneWav(toneHz));
  rig = await startBrowserRig({ audioFile: wav });
});

after(async () => {
  await rig?.close();
});

afterEach(async () => {
  await rig?.closePages();
});

const sipOptions = (login) => ({ login, authenticationName: login, password: '1234', domain: env.host, outboundProxy: env.host, port: String(env.kamPort), registerRequired: false });

async function callEcho(login, { video, port = env.wsPort, noBundle = false }) {
  await requireGateway(port);
  const page = await rig.newPage('/echo.html');
  if (noBundle) await page.evaluate(() => { window.cgNoBundle = true; });
  await page.evaluate((o) => window.cgConnect(o), { urlServer: wsUrl(port), sipOptions: sipOptions(login) });
  await page.evaluate((o) => window.cgCall(o), { callee: 'echo', video });
  return page;
}

const callEvents = (page) => page.evaluate(() => window.callEvents);

async function waitCallStatus(page, status, ms = 10000) {
  return waitFor(
    async () => (await callEvents(page)).find((e) => e.status === status),
    ms,
    `call status ${status} (console: ${page.consoleLines.slice(-5).join(' | ') || 'none'})`,
  );
}

// Waits until the stats show a connected DTLS transport and `kind` packets arriving, then checks that
// they keep arriving; returns the later stats.
async function assertMediaFlows(page, kinds) {
  const first = await waitFor(
    async () => {
      const s = await page.evaluate(() => window.cgStats());
      return s && s.transports.some((t) => t.dtlsState === 'connected') && kinds.every((k) => s.inbound[k]?.packetsReceived > 0) ? s : null;
    },
    10000,
    `a connected DTLS transport and inbound ${kinds.join('+')} packets`,
  );
  await sleep(2000);
  const second = await page.evaluate(() => window.cgStats());
  for (const k of kinds) {
    assert.ok(second.inbound[k].packetsReceived > first.inbound[k].packetsReceived + 10, `${k} packets stopped: ${JSON.stringify([first.inbound[k], second.inbound[k]])}`);
    assert.ok(second.inbound[k].bytesReceived > first.inbound[k].bytesReceived, `${k} bytes stopped`);
  }
  for (const t of second.transports) assert.notEqual(t.dtlsState, 'failed', `transports: ${JSON.stringify(second.transports)}`);
  assert.ok(['connected', 'completed'].includes(second.iceConnectionState), `ICE ${second.iceConnectionState}`);
  return second;
}

// The tone must be the loudest frequency in most of the analyser's samples (bins are 5.9 Hz wide).
async function assertTone(page, hz) {
  const peaks = await page.evaluate(() => window.cgPeakFrequency(12, 200));
  const hits = peaks.filter((p) => Math.abs(p.hz - hz) <= 12 && p.db > -80);
  assert.ok(hits.length >= 8, `${hz} Hz not found in the echoed audio; peaks: ${JSON.stringify(peaks.map((p) => [Math.round(p.hz), Math.round(p.db)]))}`);
}

test('audio-only call to echo: TRYING, ESTABLISHED, packets flow back, 440 Hz heard, hangup FINISH', { timeout: 60000 }, async () => {
  const page = await callEcho('3000', { video: false });
  await waitCallStatus(page, 'ESTABLISHED');
  const statuses = (await callEvents(page)).map((e) => e.status);
  assert.ok(statuses.indexOf('TRYING') >= 0 && statuses.indexOf('TRYING') < statuses.indexOf('ESTABLISHED'), `statuses: ${statuses}`);
  const stats = await assertMediaFlows(page, ['audio']);
  assert.equal(stats.transports.length, 1, `transports: ${JSON.stringify(stats.transports)}`);
  await assertTone(page, toneHz);
  // Exactly one setRemoteSDP (PROTOCOL.md §3).
  const remoteSdps = await page.evaluate(() => window.wsReceived.filter((f) => JSON.parse(f).message === 'setRemoteSDP').length);
  assert.equal(remoteSdps, 1, 'setRemoteSDP count');
  await page.evaluate(() => window.call.hangup());
  const finish = await waitCallStatus(page, 'FINISH');
  assert.ok(finish, 'no FINISH after hangup');
  assert.ok(!(await callEvents(page)).some((e) => e.status === 'FAILED'), `statuses: ${(await callEvents(page)).map((e) => e.status)}`);
});

test('shared media port: an audio+video call to echo on the gateway with media.shared_port uses that port and hears 440 Hz', { timeout: 60000 }, async (t) => {
  const sharedPort = Number.parseInt(process.env.CG_LIMITS_SHARED_PORT || '0', 10);
  if (!env.limitsWsPort || !sharedPort) {
    t.skip('no gateway with media.shared_port in this run (CG_LIMITS_WS_PORT, CG_LIMITS_SHARED_PORT)');
    return;
  }
  const page = await callEcho('3003', { video: true, port: env.limitsWsPort });
  await waitCallStatus(page, 'ESTABLISHED');
  const answer = await page.evaluate(() => JSON.parse(window.wsReceived.find((f) => JSON.parse(f).message === 'setRemoteSDP')).data[1]);
  const ports = [...answer.matchAll(/^m=\w+ (\d+) /gm)].map((m) => Number(m[1]));
  assert.deepEqual([...new Set(ports)], [sharedPort], `answer m= ports: ${ports}`);
  assert.match(answer, new RegExp(`a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 ${sharedPort} typ host`));
  await assertMediaFlows(page, ['audio', 'video']);
  await assertTone(page, toneHz);
  await page.evaluate(() => window.call.hangup());
  await waitCallStatus(page, 'FINISH');
});

test('audio+video call to echo over one BUNDLE transport: both flow back, frames decode, 440 Hz heard', { timeout: 60000 }, async () => {
  const page = await callEcho('3001', { video: true });
  await waitCallStatus(page, 'ESTABLISHED');
  const stats = await assertMediaFlows(page, ['audio', 'video']);
  assert.equal(stats.transports.length, 1, `BUNDLE: one transport expected, got ${JSON.stringify(stats.transports)}`);
  await waitFor(async () => (await page.evaluate(() => window.cgStats())).inbound.video.framesDecoded > 10, 10000, 'decoded echoed video frames');
  await assertTone(page, toneHz);
  await page.evaluate(() => window.call.hangup());
  await waitCallStatus(page, 'FINISH');
});

test('an offer without BUNDLE: audio and video on two transports, each connected, both flow back, 440 Hz heard', { timeout: 60000 }, async () => {
  const page = await callEcho('3004', { video: true, noBundle: true });
  await waitCallStatus(page, 'ESTABLISHED');
  const offer = await page.evaluate(() => JSON.parse(window.wsSent.find((f) => JSON.parse(f).message === 'call')).data[0].sdp);
  assert.doesNotMatch(offer, /a=group:BUNDLE/, 'the offer still bundles');
  const answer = await page.evaluate(() => JSON.parse(window.wsReceived.find((f) => JSON.parse(f).message === 'setRemoteSDP')).data[1]);
  const ports = [...answer.matchAll(/^m=\w+ (\d+) /gm)].map((m) => Number(m[1]));
  assert.equal(new Set(ports).size, 2, `answer m= ports: ${ports}`);
  const stats = await assertMediaFlows(page, ['audio', 'video']);
  assert.equal(stats.transports.length, 2, `transports: ${JSON.stringify(stats.transports)}`);
  assert.ok(stats.transports.every((t) => t.dtlsState === 'connected'), `transports: ${JSON.stringify(stats.transports)}`);
  await assertTone(page, toneHz);
  await page.evaluate(() => window.call.hangup());
  await waitCallStatus(page, 'FINISH');
});

test(`a client that goes silent (its peer connection closed) ends FAILED "Failed by ICE error" after ${consentTimeoutS} s`, { timeout: 60000 }, async () => {
  const page = await callEcho('3002', { video: false });
  await waitCallStatus(page, 'ESTABLISHED');
  await assertMediaFlows(page, ['audio']);
  const closedAt = Date.now();
  await page.evaluate(() => window.pcs.forEach((pc) => pc.close()));
  const failed = await waitCallStatus(page, 'FAILED', (consentTimeoutS + 10) * 1000);
  assert.equal(failed.info, 'Failed by ICE error');
  const after = (failed.t - closedAt) / 1000;
  assert.ok(after >= consentTimeoutS - 1, `failed after ${after} s, before the consent timeout`);
});

test('protocol: a call to echo with a bad offer gets a fail naming call.sdp and ends FAILED, with no setRemoteSDP', { timeout: 30000 }, async () => {
  await requireGateway();
  const c = await WcsClient.open();
  try {
    await establish(c, sdkConnectionFields());
    const call = { callId: 'bad-offer-1', incoming: false, hasAudio: true, hasVideo: false, status: 'PENDING', mediaProvider: 'WebRTC', callee: 'echo', caller: 'x', visibleName: 'x' };
    c.send('call', { ...call, sdp: 'v=0\r\nthis is not sdp\r\n' });
    const fail = await c.next('fail', 3000);
    assert.match(fail.data[0].info, /call\.sdp/, `fail: ${JSON.stringify(fail.data[0])}`);
    const finish = await c.next('finish', 3000);
    assert.equal(finish.data[0].status, 'FAILED');
    assert.equal(finish.data[0].callId, 'bad-offer-1');
    assert.equal(finish.data[0].info, 'Failed by session creation');

    // An offer without a fingerprint: the fail says which attribute and why.
    const noFingerprint = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0',
      'a=mid:0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', 'a=setup:actpass', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', ''].join('\r\n');
    c.send('call', { ...call, callId: 'bad-offer-2', sdp: noFingerprint });
    const fail2 = await c.next('fail', 3000);
    assert.match(fail2.data[0].info, /a=fingerprint/, `fail: ${JSON.stringify(fail2.data[0])}`);
    assert.equal((await c.next('finish', 3000)).data[0].status, 'FAILED');
    assert.equal(c.take('setRemoteSDP').length, 0, 'no setRemoteSDP for a failed call');
  } finally {
    await c.close();
  }
});
