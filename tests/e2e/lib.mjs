// Shared by the client API end-to-end tests: where things are (from the environment client_api_test.sh sets),
// a WCS WebSocket client that buffers every frame, bounded waits, and Kamailio's location table.
// Everything runs inside the rig's network namespace, so 127.0.0.1 is the namespace's own loopback.

import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import WebSocket from 'ws';

const execFileP = promisify(execFile);

const int = (name, fallback) => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number.parseInt(v, 10);
};

// What client_api_test.sh passes; the defaults are the values it writes into the gateway configs.
export const env = {
  host: '127.0.0.1',
  wsPort: int('CG_WS_PORT', 8080),
  wssPort: int('CG_WSS_PORT', 0), // 0: no wss listener configured, the wss test skips
  tlsCert: process.env.CG_TLS_CERT || '',
  limitsWsPort: int('CG_LIMITS_WS_PORT', 0), // the second gateway (small max_sessions and grace); 0: skip
  kamPort: int('CG_KAM_PORT', 5060),
  kamctl: process.env.CG_KAMCTL || '',
  kamLog: process.env.CG_KAMAILIO_LOG || '',
  pingIntervalS: int('CG_PING_INTERVAL_S', 1),
  maxMissedPongs: int('CG_MAX_MISSED_PONGS', 3),
  maxFrameBytes: int('CG_MAX_FRAME_BYTES', 8192),
  maxMessagesPerSecond: int('CG_MAX_MESSAGES_PER_SECOND', 20),
  limitsMaxSessions: int('CG_LIMITS_MAX_SESSIONS', 2),
  limitsGraceS: int('CG_LIMITS_GRACE_S', 2),
  gatewayLog: process.env.CG_GATEWAY_LOG || '',
  httpPort: int('CG_HTTP_PORT', 8081), // the main gateway's http.port: /metrics, /healthz, the web root
  webRoot: process.env.CG_WEB_ROOT || '', // the main gateway's http.web_root
};

export const wsUrl = (port = env.wsPort) => `ws://${env.host}:${port}`;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// absent(message): the error for "the gateway is not there": one sentence, no stack of socket internals.
function absent(message) {
  const e = new Error(message);
  e.stack = `Error: ${message}`;
  return e;
}

const logHint = () => (env.gatewayLog ? `; its log, ${env.gatewayLog}, is printed when the run fails` : '');

// waitFor(check, ms, what): polls check() (sync or async) every 100 ms until it returns a truthy value, which
// it returns; after ms, fails with `what` and the last value or error seen.
export async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last seen: ${seen})`);
    }
    await sleep(100);
  }
}

// requireGateway(port): a TCP connect to the gateway's WebSocket port, so a missing gateway fails with one
// clear sentence instead of a timeout further on.
export function requireGateway(port = env.wsPort, what = 'callgate') {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: env.host, port });
    const fail = (msg) => {
      s.destroy();
      reject(
        absent(
          `${what} is not listening on ${env.host}:${port} (${msg}): the gateway with the client API is not ` +
            `running${logHint()}`,
        ),
      );
    };
    s.setTimeout(2000, () => fail('no answer in 2 s'));
    s.once('error', (e) => fail(e.code || e.message));
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
  });
}

const brief = (f) => {
  const s = JSON.stringify(f);
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
};

// The frames a client received, for error messages: pings only counted.
function summary(frames) {
  const pings = frames.filter((f) => f.message === 'ping').length;
  const rest = frames.filter((f) => f.message !== 'ping').map(brief);
  if (pings) rest.push(`(and ${pings} pings)`);
  return rest.join(' ') || 'none';
}

// ADR 0005: every frame the gateway sends is {"message": NAME, "data": [ARG, ...]}.
const envelopeOk = (f) =>
  f && typeof f === 'object' && !Array.isArray(f) && typeof f.message === 'string' && Array.isArray(f.data) && f.data.length >= 1;

// A WebSocket client speaking the WCS envelope. Every frame received is parsed and kept, in order, until a
// next() takes it; pings from the server are answered with pong (as the WebSDK does) unless autoPong is off.
export class WcsClient {
  static open(url = wsUrl(), { autoPong = true, timeoutMs = 3000, wsOptions = {} } = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, ...wsOptions });
      const onError = (e) => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(
          absent(
            `cannot open ${url}: ${e.code || e.message}: the gateway's WebSocket listener is not there ` +
              `(is callgate running with the client API?)${logHint()}`,
          ),
        );
      };
      ws.once('error', onError);
      ws.once('unexpected-response', (_req, res) =>
        onError(new Error(`HTTP ${res.statusCode} instead of a WebSocket upgrade`)),
      );
      ws.once('open', () => {
        ws.removeListener('error', onError);
        resolve(new WcsClient(ws, autoPong));
      });
    });
  }

  constructor(ws, autoPong) {
    this.ws = ws;
    this.autoPong = autoPong;
    this.inbox = []; // frames no next() has taken yet
    this.received = []; // every frame, for error messages
    this.pings = []; // arrival times (ms) of server pings
    this.waiters = [];
    this.closeInfo = null; // {code, reason, at}
    this.closeWaiters = [];
    this.errors = [];
    this.badEnvelopes = []; // frames from the gateway that are not {"message": NAME, "data": [...]}
    ws.on('error', (e) => this.errors.push(e.message));
    ws.on('message', (raw, isBinary) => {
      let frame;
      try {
        frame = JSON.parse(raw.toString('utf8'));
      } catch {
        frame = { unparsable: raw.toString('utf8') };
      }
      if (isBinary) frame = { binary: true, ...frame };
      if (isBinary || !envelopeOk(frame)) this.badEnvelopes.push(frame);
      this.received.push(frame);
      if (frame.message === 'ping') {
        this.pings.push(Date.now());
        if (this.autoPong) this.send('pong', null);
      }
      const i = this.waiters.findIndex((w) => w.pred(frame));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(frame);
      } else {
        this.inbox.push(frame);
      }
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString('utf8'), at: Date.now() };
      for (const w of this.closeWaiters.splice(0)) w(this.closeInfo);
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(
          new Error(
            `socket closed (code ${code}, reason "${this.closeInfo.reason}") while waiting for ${w.what}; ` +
              `frames received: ${summary(this.received)}`,
          ),
        );
      }
    });
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  // send(name, arg): {"message": name, "data": [arg]}, as the WebSDK sends (arg null when it has none).
  send(message, arg = null) {
    this.sendRaw(JSON.stringify({ message, data: [arg] }));
  }

  sendRaw(text) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  // next(pred, ms, what): the first frame (buffered or still to come) matching pred; a string pred matches
  // the message name. Fails after ms, or at once when the socket closes first.
  next(pred, ms = 5000, what) {
    const match = typeof pred === 'string' ? (f) => f.message === pred : pred;
    const label = what || (typeof pred === 'string' ? `"${pred}"` : 'a matching frame');
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    if (this.closeInfo) {
      return Promise.reject(
        new Error(
          `socket already closed (code ${this.closeInfo.code}, reason "${this.closeInfo.reason}") before ${label}; ` +
            `frames received: ${summary(this.received)}`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const w = { pred: match, resolve, reject, what: label };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(
          new Error(
            `no ${label} within ${ms} ms; frames received: ${summary(this.received)}`,
          ),
        );
      }, ms);
      this.waiters.push(w);
    });
  }

  // take(pred): every buffered frame matching pred, removed from the inbox.
  take(pred) {
    const match = typeof pred === 'string' ? (f) => f.message === pred : pred;
    const out = this.inbox.filter(match);
    this.inbox = this.inbox.filter((f) => !match(f));
    return out;
  }

  // closed(ms): {code, reason, at} once the socket is closed; fails after ms.
  closed(ms = 5000) {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.closeWaiters.splice(this.closeWaiters.indexOf(done), 1);
        reject(
          new Error(
            `socket still open after ${ms} ms; frames received: ${summary(this.received)}`,
          ),
        );
      }, ms);
      const done = (info) => {
        clearTimeout(timer);
        resolve(info);
      };
      this.closeWaiters.push(done);
    });
  }

  // close(): a normal close (1000), waiting at most 2 s for the server's close frame.
  async close() {
    if (this.closeInfo) return;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    try {
      await this.closed(2000);
    } catch {
      this.ws.terminate();
    }
  }

  // drop(): the TCP connection goes away without a close frame (a lost network, a killed tab).
  async drop() {
    if (this.closeInfo) return;
    this.ws.terminate();
    await this.closed(2000).catch(() => {});
  }
}

// What the WebSDK 2.0.276 puts in `connection` before the SIP fields (flashphoner-core.js createWS; seen from
// Chromium 156: keepAlive, authToken and custom are left out when the application does not set them, and
// clientInfo is {}). Here keepAlive is explicit and custom is set, to see both echoed.
export function sdkConnectionFields(extra = {}) {
  return {
    appKey: 'defaultApp',
    mediaProviders: ['WebRTC', 'MSE', 'WSPlayer'],
    keepAlive: false,
    clientVersion: '2.0',
    clientOSVersion: '5.0 (X11; Linux x86_64) callgate-e2e',
    clientBrowserVersion: 'Mozilla/5.0 (X11; Linux x86_64) callgate-e2e',
    msePacketizationVersion: 2,
    clientInfo: {},
    custom: { from: 'callgate-e2e' },
    ...extra,
  };
}

// sipFields(user, options): the SIP part of `connection` for a user at the test Kamailio.
export function sipFields(user, { password = '1234', register = true, port = String(env.kamPort), authName } = {}) {
  const f = {
    sipLogin: user,
    sipAuthenticationName: authName === undefined ? user : authName,
    sipPassword: password,
    sipDomain: env.host,
    sipOutboundProxy: env.host,
    sipPort: port,
    sipRegisterRequired: register,
  };
  if (f.sipAuthenticationName === null) delete f.sipAuthenticationName;
  return f;
}

// establish(client, fields, ms): sends `connection` and returns getUserData's object; a `fail` or a close
// instead fails with its info.
export async function establish(client, fields, ms = 5000) {
  client.send('connection', fields);
  const f = await client.next((m) => m.message === 'getUserData' || m.message === 'fail', ms, 'getUserData');
  if (f.message === 'fail') throw new Error(`connection answered with fail: ${brief(f)}`);
  return f.data?.[0];
}

// Kamailio's location table (kamcmd over the rig's control socket).
export async function kamContacts(user) {
  if (!env.kamctl) throw new Error('CG_KAMCTL is not set: run through tests/e2e/client_api_test.sh');
  let out;
  try {
    ({ stdout: out } = await execFileP('kamcmd', ['-s', env.kamctl, 'ul.lookup', 'location', `s:${user}`], {
      timeout: 3000,
    }));
  } catch (e) {
    throw new Error(`kamcmd failed (is the test Kamailio running?): ${e.message}`);
  }
  if (/AOR not found/i.test(out)) return [];
  if (/^error/im.test(out)) throw new Error(`kamcmd: ${out.trim()}`);
  return [...out.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]);
}

export const waitRegisteredAtKamailio = (user, ms = 5000) =>
  waitFor(
    async () => {
      const contacts = await kamContacts(user);
      return contacts.length > 0 && contacts;
    },
    ms,
    `${user} in Kamailio's location table`,
  );

export const waitGoneFromKamailio = (user, ms = 5000) =>
  waitFor(async () => (await kamContacts(user)).length === 0, ms, `${user} gone from Kamailio's location table`);

export const randomHex = (bytes) =>
  Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('');
