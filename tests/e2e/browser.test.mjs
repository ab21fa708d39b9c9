// The real client: @flashphoner/websdk 2.0.276 in headless Chromium (playwright-core), against a running callgate
// and the test Kamailio. Run by client_api_test.sh inside its network namespace:
//   ip netns exec NS node --test tests/e2e/browser.test.mjs
// The page (page/index.html) and the SDK's browser bundle are served by a small HTTP server started here on
// 127.0.0.1. Users: 3005 (register), 3006 (wrong password), 3007 (disconnect), 3008 (keepAlive resume).

import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { startBrowserRig } from './browser_rig.mjs';
import { env, kamContacts, requireGateway, sleep, waitGoneFromKamailio, waitRegisteredAtKamailio, wsUrl } from './lib.mjs';

let rig;

before(async () => {
  rig = await startBrowserRig();
});

after(async () => {
  await rig?.close();
});

afterEach(async () => {
  await rig?.closePages();
});

// A fresh page (its own context: no shared storage) with the SDK initialised.
const newPage = () => rig.newPage('/');

const state = (page) =>
  page.isClosed() ? Promise.resolve({ events: '(page closed)' }) : page.evaluate(() => ({ events: window.events, wsCloses: window.wsCloses }));

// waitStatus(page, status, ms): the first session event with that status; fails with every event seen so far.
async function waitStatus(page, status, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const { events } = await state(page);
    const e = Array.isArray(events) && events.find((x) => x.status === status);
    if (e) return e;
    if (Date.now() >= deadline) {
      const s = await state(page);
      throw new Error(
        `no ${status} within ${ms} ms; session events: ${JSON.stringify(s.events)}; socket closes: ` +
          `${JSON.stringify(s.wsCloses)}; console: ${page.consoleLines.slice(-5).join(' | ') || 'none'}`,
      );
    }
    await sleep(100);
  }
}

const sipOptions = (login, password = '1234') => ({
  login,
  authenticationName: login,
  password,
  domain: env.host,
  outboundProxy: env.host,
  port: String(env.kamPort),
  registerRequired: true,
});

const start = (page, options) => page.evaluate((o) => window.cgStart(o), { urlServer: wsUrl(), ...options });

test('the page loads the WebSDK bundle and Flashphoner.init() offers WebRTC (no gateway needed)', { timeout: 30000 }, async () => {
  const page = await newPage();
  const info = await page.evaluate(() => window.cgReady);
  assert.equal(info.type, 'object', 'typeof Flashphoner');
  assert.ok(info.providers.includes('WebRTC'), `media providers: ${info.providers}`);
});

test('3005/1234: ESTABLISHED, then REGISTERED, and Kamailio holds 3005', { timeout: 30000 }, async () => {
  await requireGateway();
  assert.deepEqual(await kamContacts('3005'), [], 'precondition: 3005 not registered yet');
  const page = await newPage();
  await start(page, { sipOptions: sipOptions('3005') });
  const established = await waitStatus(page, 'ESTABLISHED');
  assert.match(String(established.authToken), /^[0-9a-fA-F]{32}$/, 'authToken in getUserData');
  const reg = await waitStatus(page, 'REGISTERED');
  assert.ok(reg.t >= established.t, 'REGISTERED before ESTABLISHED');
  await waitRegisteredAtKamailio('3005', 3000);
  const { events } = await state(page);
  assert.ok(!events.some((e) => ['WARN', 'FAILED', 'DISCONNECTED'].includes(e.status)), `events: ${JSON.stringify(events)}`);
});

test('wrong password: WARN with an info, then DISCONNECTED, within 10 s', { timeout: 30000 }, async () => {
  await requireGateway();
  const page = await newPage();
  await start(page, { sipOptions: sipOptions('3006', 'wrong') });
  const warn = await waitStatus(page, 'WARN', 10000);
  assert.ok(typeof warn.info === 'string' && warn.info.trim().length > 0, `WARN without an info: ${JSON.stringify(warn)}`);
  const disconnected = await waitStatus(page, 'DISCONNECTED', 10000);
  assert.ok(disconnected.t >= warn.t, 'DISCONNECTED before WARN');
  const { events, wsCloses } = await state(page);
  assert.ok(!events.some((e) => e.status === 'REGISTERED'), `events: ${JSON.stringify(events)}`);
  assert.equal(wsCloses[0]?.code, 4403, `socket closes: ${JSON.stringify(wsCloses)}`);
});

test('sipLogin "Ralf C12441@host.com": REGISTERED or WARN within 10 s, never nothing', { timeout: 30000 }, async () => {
  await requireGateway();
  const page = await newPage();
  await start(page, { sipOptions: sipOptions('Ralf C12441@host.com') });
  const deadline = Date.now() + 10000;
  let outcome;
  while (!outcome && Date.now() < deadline) {
    const { events } = await state(page);
    outcome = events.find((e) => e.status === 'REGISTERED' || e.status === 'WARN');
    if (!outcome) await sleep(100);
  }
  const s = await state(page);
  assert.ok(outcome, `no REGISTERED or WARN within 10 s (the WCS stuck-session bug); events: ${JSON.stringify(s.events)}`);
  if (outcome.status === 'WARN') {
    assert.ok(typeof outcome.info === 'string' && outcome.info.trim().length > 0, `WARN without an info: ${JSON.stringify(outcome)}`);
  }
});

test('disconnect() removes the registration at Kamailio', { timeout: 30000 }, async () => {
  await requireGateway();
  const page = await newPage();
  await start(page, { sipOptions: sipOptions('3007') });
  await waitStatus(page, 'REGISTERED');
  await waitRegisteredAtKamailio('3007', 3000);
  await page.evaluate(() => window.session.disconnect());
  await waitStatus(page, 'DISCONNECTED', 5000);
  await waitGoneFromKamailio('3007', 5000);
});

test('keepAlive: the page goes away, a new page resumes with authToken alone: same authToken, REGISTERED', { timeout: 40000 }, async () => {
  await requireGateway();
  const first = await newPage();
  await start(first, { keepAlive: true, sipOptions: sipOptions('3008') });
  const established = await waitStatus(first, 'ESTABLISHED');
  await waitStatus(first, 'REGISTERED');
  await waitRegisteredAtKamailio('3008', 3000);
  await first.close(); // the tab goes: its socket closes with no goodbye from the application
  await sleep(1500);
  assert.ok((await kamContacts('3008')).length > 0, '3008 unregistered though keepAlive was true');

  const second = await newPage();
  await start(second, { keepAlive: true, authToken: established.authToken });
  const resumed = await waitStatus(second, 'ESTABLISHED');
  assert.equal(resumed.authToken, established.authToken, 'resumed with another authToken');
  if (established.sessionId !== undefined) assert.equal(resumed.sessionId, established.sessionId, 'resumed another session');
  await waitStatus(second, 'REGISTERED');
  assert.ok((await kamContacts('3008')).length > 0, '3008 not in Kamailio after the resume');
});
