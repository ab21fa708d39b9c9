// The gateway's HTTP listener (http.port): /metrics in the Prometheus text format 0.0.4, /healthz, the static
// files of http.web_root, and what it must refuse (paths out of the root, files it does not serve, methods
// other than GET and HEAD, WebSockets). Run by client_api_test.sh inside its network namespace, with the main
// gateway's web_root set to a folder it made (CG_WEB_ROOT) holding index.html and notes.txt, and secret.html
// one folder up.
// Users: 3000 (a session without REGISTER, then one with; the echo suite uses 3000 as a login only).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { WcsClient, env, establish, sdkConnectionFields, sipFields, waitFor, waitGoneFromKamailio } from './lib.mjs';

const httpPort = env.httpPort;

// get(path, {method}): {status, headers, body} of one request sent with the target exactly as given (no URL
// normalisation, so "/../x" reaches the gateway as written).
function request(target, { method = 'GET', timeoutMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: env.host, port: httpPort, method, path: target, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${method} ${target} in ${timeoutMs} ms`)));
    req.on('error', (e) =>
      reject(new Error(`${method} ${target} on http://${env.host}:${httpPort}: ${e.code || e.message} (is the HTTP listener up?)`)),
    );
    req.end();
  });
}

// The families the page must always have, with their types (src/api/metrics_page.hpp).
const families = {
  callgate_build_info: 'gauge',
  callgate_uptime_seconds: 'gauge',
  callgate_sessions: 'gauge',
  callgate_registrations: 'gauge',
  callgate_calls: 'gauge',
  callgate_calls_ended_total: 'counter',
  callgate_incoming_refused_total: 'counter',
  callgate_rtp_packets_relayed_total: 'counter',
  callgate_media_ports_open: 'gauge',
  callgate_packets_dropped_total: 'counter',
};
const dropReasons = ['webrtc_transport', 'unknown_payload_type', 'no_remote', 'malformed', 'send_failed', 'stray_source'];

const sampleLine =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9]+(?:\.[0-9]+)?)$/;

// parseMetrics(text): {types: {name: type}, samples: [{name, labels, value}]}; throws on any line outside the
// 0.0.4 grammar, a sample before its family's TYPE, or a counter not named *_total.
function parseMetrics(text) {
  assert.ok(text.endsWith('\n'), 'the page must end with a line feed');
  const types = {};
  const helps = new Set();
  const samples = [];
  let family = '';
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S/.exec(line))) {
      assert.ok(!helps.has(m[1]), `second HELP for ${m[1]}`);
      helps.add(m[1]);
      family = m[1];
    } else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      assert.equal(m[1], family, `TYPE ${m[1]} not right after its HELP`);
      types[m[1]] = m[2];
      if (m[2] === 'counter') assert.match(m[1], /_total$/, `counter ${m[1]} not named *_total`);
    } else if ((m = sampleLine.exec(line))) {
      assert.equal(m[1], family, `sample outside its family: ${line}`);
      assert.ok(types[m[1]], `sample before its TYPE: ${line}`);
      const labels = {};
      for (const l of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      samples.push({ name: m[1], labels, value: Number(m[3]) });
    } else {
      assert.fail(`not a Prometheus 0.0.4 text line: ${JSON.stringify(line)}`);
    }
  }
  return { types, samples };
}

const value = (parsed, name, labels = {}) => {
  const s = parsed.samples.find(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
  return s ? s.value : undefined;
};

async function metrics() {
  const r = await request('/metrics');
  assert.equal(r.status, 200, `GET /metrics: ${r.status} ${r.body}`);
  return parseMetrics(r.body);
}

const clients = [];
after(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

test('GET /healthz answers 200 ok', async () => {
  const r = await request('/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'ok\n');
  assert.match(r.headers['content-type'], /^text\/plain/);
});

test('GET /metrics is the Prometheus text format 0.0.4 with every family', async () => {
  const r = await request('/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(r.headers['cache-control'], 'no-store');
  const parsed = parseMetrics(r.body);
  assert.deepEqual(parsed.types, families);
  for (const reason of dropReasons) {
    assert.equal(typeof value(parsed, 'callgate_packets_dropped_total', { reason }), 'number', `no drop reason ${reason}`);
  }
  for (const direction of ['to_sip', 'to_webrtc']) {
    assert.equal(typeof value(parsed, 'callgate_rtp_packets_relayed_total', { direction }), 'number');
  }
  for (const status of ['TRYING', 'RING', 'ESTABLISHED', 'HOLD']) {
    assert.equal(typeof value(parsed, 'callgate_calls', { status }), 'number', `no callgate_calls{status="${status}"}`);
  }
  assert.equal(value(parsed, 'callgate_build_info'), 1);
  assert.ok(value(parsed, 'callgate_uptime_seconds') > 0, 'uptime is not positive');
});

test('/metrics counts sessions and registrations as clients come and go', async () => {
  const before = await metrics();
  const sessions0 = value(before, 'callgate_sessions');
  const registrations0 = value(before, 'callgate_registrations');

  const plain = await WcsClient.open();
  clients.push(plain);
  await establish(plain, sdkConnectionFields(sipFields('3000', { register: false })));
  const withSession = await metrics();
  assert.equal(value(withSession, 'callgate_sessions'), sessions0 + 1);
  assert.equal(value(withSession, 'callgate_registrations'), registrations0);

  const registered = await WcsClient.open();
  clients.push(registered);
  await establish(registered, sdkConnectionFields(sipFields('3000')));
  await registered.next('registered', 8000);
  const withRegistration = await metrics();
  assert.equal(value(withRegistration, 'callgate_sessions'), sessions0 + 2);
  assert.equal(value(withRegistration, 'callgate_registrations'), registrations0 + 1);

  await plain.close();
  await registered.close();
  await waitFor(
    async () => {
      const m = await metrics();
      return value(m, 'callgate_sessions') === sessions0 && value(m, 'callgate_registrations') === registrations0;
    },
    8000,
    'callgate_sessions and callgate_registrations back to where they were',
  );
  await waitGoneFromKamailio('3000', 8000);
});

test('GET / serves index.html of http.web_root', async () => {
  assert.ok(env.webRoot, 'CG_WEB_ROOT is not set: run through tests/e2e/client_api_test.sh');
  const index = readFileSync(path.join(env.webRoot, 'index.html'), 'utf8');
  for (const target of ['/', '/index.html', '/index.html?v=1']) {
    const r = await request(target);
    assert.equal(r.status, 200, `GET ${target}: ${r.status}`);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.body, index, `GET ${target} is not the web root's index.html`);
  }
  const head = await request('/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(Number(head.headers['content-length']), Buffer.byteLength(index));
});

test('paths out of the web root and files it does not serve are refused', async () => {
  // secret.html sits next to the web root: every one of these would reach it (or /etc/passwd) if followed.
  assert.match(readFileSync(path.join(env.webRoot, '..', 'secret.html'), 'utf8'), /secret/);
  const targets = [
    '/../secret.html',
    '/%2e%2e/secret.html',
    '/%2E%2E%2Fsecret.html',
    '/..%2fsecret.html',
    '/a/../../secret.html',
    '/..\\secret.html',
    '/../../../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '//etc/passwd',
    '/notes.txt',
    '/.hidden.html',
    '/missing.html',
  ];
  for (const target of targets) {
    const r = await request(target);
    assert.ok(r.status === 404 || r.status === 400, `GET ${target} answered ${r.status}, not 404 or 400`);
    assert.doesNotMatch(r.body, /secret|root:/, `GET ${target} leaked a file`);
  }
});

test('methods other than GET and HEAD get 405 with Allow', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const r = await request('/metrics', { method });
    assert.equal(r.status, 405, `${method} /metrics answered ${r.status}`);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('a WebSocket on the HTTP port is closed (the API is on ws.port)', async () => {
  const ws = new WebSocket(`ws://${env.host}:${httpPort}/`);
  const close = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the WebSocket on the HTTP port stayed open for 3 s')), 3000);
    ws.on('error', () => {});
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
  assert.equal(close.code, 1008);
  assert.match(close.reason, /ws\.port/);
});
