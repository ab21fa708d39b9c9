// callgate web phone on the Flashphoner WebSDK (@flashphoner/websdk, flashphoner.js). Plain browser JS, no
// build step: one session at a time, one call at a time.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  // The WebSDK drops the gateway's `info` and `sipStatus` from call status messages (call.getInfo() is only
  // set for local errors), so the frames are read here as they arrive: the last call object per callId and
  // status. The SDK opens its WebSocket at createSession() time, after this wrapper is in place, and this
  // listener runs before the SDK's own onmessage handler.
  const callFrames = new Map();
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        let frame;
        try {
          frame = JSON.parse(e.data);
        } catch {
          return;
        }
        const obj = Array.isArray(frame.data) ? frame.data[0] : undefined;
        if (obj && typeof obj === 'object' && typeof obj.callId === 'string' && typeof obj.status === 'string') {
          callFrames.set(`${obj.callId}/${obj.status}`, obj);
        }
      });
    }
  };

  let SESSION_STATUS;
  let CALL_STATUS;
  let session = null;
  // The one call: {call, incoming, answered, status}. The SDK leaves an incoming call's own status at NEW
  // until it is answered, so the status shown is the last one the gateway sent.
  let current = null;

  function log(text, kind) {
    const li = document.createElement('li');
    const time = new Date().toLocaleTimeString();
    li.textContent = `${time}  ${text}`;
    if (kind) li.className = kind;
    const list = $('log');
    list.prepend(li);
    while (list.children.length > 200) list.lastChild.remove();
  }

  function setStatus(id, status) {
    const el = $(id);
    el.textContent = status;
    el.dataset.status = status;
  }

  // "host[:port]" or "[v6]:port" -> {host, port}; the port defaults to 5060.
  function splitServer(text) {
    const value = text.trim();
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
    if (v6) return { host: v6[1], port: v6[2] || '5060' };
    const hostPort = /^([^:]+)(?::(\d+))?$/.exec(value);
    if (hostPort) return { host: hostPort[1], port: hostPort[2] || '5060' };
    return { host: value, port: '5060' };
  }

  function defaultServerUrl() {
    const host = window.location.hostname || '127.0.0.1';
    const shown = host.includes(':') ? `[${host}]` : host;
    return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${shown}:${window.location.protocol === 'https:' ? 8443 : 8080}`;
  }

  function updateButtons() {
    const connected = session !== null;
    $('connect').disabled = connected;
    $('disconnect').disabled = !connected;
    for (const id of ['server', 'login', 'password', 'domain', 'register']) $(id).disabled = connected;
    $('call').disabled = !connected || current !== null;
    $('answer').disabled = !(current && current.incoming && !current.answered);
    $('hangup').disabled = current === null;
    for (const key of $('dtmf').querySelectorAll('button')) {
      key.disabled = !current || current.status !== CALL_STATUS.ESTABLISHED;
    }
  }

  function describeCall(call, status) {
    const frame = callFrames.get(`${call.id()}/${status}`) || {};
    const parts = [`call ${status}`];
    if (frame.info) parts.push(`info "${frame.info}"`);
    else if (call.getErrorInfo && call.getErrorInfo()) parts.push(`error "${call.getErrorInfo()}"`);
    if (frame.sipStatus !== undefined && frame.sipStatus !== null && frame.sipStatus !== 0) {
      parts.push(`sipStatus ${frame.sipStatus}`);
    }
    return parts.join(', ');
  }

  // Every call status goes to the log; the end of the call frees the phone.
  function watchCall(call, incoming) {
    const entry = { call, incoming, answered: false, status: incoming ? CALL_STATUS.RING : CALL_STATUS.NEW };
    current = entry;
    $('call-peer').textContent = incoming ? `from ${call.caller()}` : `to ${call.callee()}`;
    setStatus('call-status', entry.status);
    for (const status of Object.values(CALL_STATUS)) {
      call.on(status, () => {
        entry.status = status;
        setStatus('call-status', status);
        const ended = status === CALL_STATUS.FINISH || status === CALL_STATUS.FAILED || status === CALL_STATUS.BUSY;
        log(describeCall(call, status), ended && status !== CALL_STATUS.FINISH ? 'bad' : undefined);
        if (ended && current === entry) current = null;
        updateButtons();
      });
    }
    updateButtons();
  }

  function mediaOptions() {
    return {
      localVideoDisplay: $('local-display'),
      remoteVideoDisplay: $('remote-display'),
      constraints: { audio: true, video: false },
      receiveAudio: true,
      receiveVideo: false,
    };
  }

  function connect(event) {
    event.preventDefault();
    const server = splitServer($('domain').value);
    const login = $('login').value.trim();
    const options = {
      urlServer: $('server').value.trim(),
      sipOptions: {
        login,
        authenticationName: login,
        password: $('password').value,
        domain: server.host,
        outboundProxy: server.host,
        port: server.port,
        registerRequired: $('register').checked,
      },
    };
    log(`connecting to ${options.urlServer} as ${login}@${server.host}:${server.port}`);
    try {
      session = Flashphoner.createSession(options);
    } catch (e) {
      log(`cannot create the session: ${e.message}`, 'bad');
      session = null;
      return;
    }
    const S = SESSION_STATUS;
    for (const status of [S.CONNECTED, S.ESTABLISHED, S.REGISTERED, S.DISCONNECTED, S.FAILED]) {
      session.on(status, () => {
        setStatus('session-status', status);
        log(`session ${status}`, status === S.FAILED ? 'bad' : undefined);
        if (status === S.DISCONNECTED || status === S.FAILED) {
          session = null;
          current = null;
          setStatus('call-status', '-');
        }
        updateButtons();
      });
    }
    // A `fail` from the gateway: a refused registration, a bad field, a limit.
    session.on(S.WARN, (fail) => {
      const info = fail && fail.info ? fail.info : 'no info';
      const sip = fail && fail.sipStatus ? `, sipStatus ${fail.sipStatus}` : '';
      log(`session WARN: ${info}${sip}`, 'bad');
    });
    session.on(S.INCOMING_CALL, (call) => {
      if (current) {
        log(`busy: refusing the call from ${call.caller()}`);
        call.hangup();
        return;
      }
      log(`incoming call from ${call.caller()}${call.visibleName() ? ` (${call.visibleName()})` : ''}`);
      watchCall(call, true);
    });
    updateButtons();
  }

  function disconnect() {
    if (session) session.disconnect();
  }

  function call() {
    const callee = $('callee').value.trim();
    if (!session || !callee) return;
    const outgoing = session.createCall({ callee, visibleName: $('login').value.trim(), ...mediaOptions() });
    watchCall(outgoing, false);
    log(`calling ${callee}`);
    try {
      outgoing.call();
    } catch (e) {
      log(`cannot call: ${e.message}`, 'bad');
      current = null;
      updateButtons();
    }
  }

  function answer() {
    if (!current || !current.incoming || current.answered) return;
    current.answered = true;
    log('answering');
    try {
      current.call.answer(mediaOptions());
    } catch (e) {
      log(`cannot answer: ${e.message}`, 'bad');
    }
    updateButtons();
  }

  function hangup() {
    if (!current) return;
    log('hanging up');
    current.call.hangup();
  }

  function sendDigit(event) {
    const digit = event.target.textContent;
    if (!current || event.target.tagName !== 'BUTTON') return;
    current.call.sendDTMF(digit, 'RFC2833');
    log(`DTMF ${digit}`);
  }

  async function start() {
    $('server').value = defaultServerUrl();
    $('connect-form').addEventListener('submit', connect);
    $('disconnect').addEventListener('click', disconnect);
    $('call').addEventListener('click', call);
    $('answer').addEventListener('click', answer);
    $('hangup').addEventListener('click', hangup);
    $('dtmf').addEventListener('click', sendDigit);
    if (typeof Flashphoner === 'undefined') {
      log('flashphoner.js did not load: it must be served beside this page', 'bad');
      $('connect').disabled = true;
      return;
    }
    SESSION_STATUS = Flashphoner.constants.SESSION_STATUS;
    CALL_STATUS = Flashphoner.constants.CALL_STATUS;
    try {
      await Flashphoner.init({});
    } catch (e) {
      log(`this browser cannot run the WebSDK: ${e.message}`, 'bad');
      $('connect').disabled = true;
      return;
    }
    const providers = Flashphoner.getMediaProviders();
    if (!providers.includes('WebRTC')) log(`no WebRTC media provider (have: ${providers.join(', ')})`, 'bad');
    updateButtons();
    log('ready: connect, then call');
  }

  start();
})();
