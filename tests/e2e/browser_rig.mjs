// Shared by the browser suites: a small HTTP server on 127.0.0.1 serving the test pages and the WebSDK's
// browser bundle, and headless Chromium (playwright-core) with the flags the brief names, optionally with a
// WAV file as the fake microphone. Every page gets its own context (no shared storage).

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { env } from './lib.mjs';

const require = createRequire(import.meta.url);
const page = (name) => ({ path: fileURLToPath(new URL(`./page/${name}`, import.meta.url)), type: 'text/html; charset=utf-8' });
const files = {
  '/': page('index.html'),
  '/echo.html': page('echo.html'),
  '/flashphoner.js': { path: require.resolve('@flashphoner/websdk/flashphoner.js'), type: 'text/javascript; charset=utf-8' },
};

// A 16-bit mono WAV of `seconds` of a sine at `hz` (Chromium loops the file), for the fake microphone.
export function toneWav(hz, seconds = 4, rate = 48000) {
  const samples = seconds * rate;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  return b;
}

// startBrowserRig({ audioFile }): { newPage(path), close() }. newPage waits for window.cgReady.
export async function startBrowserRig({ audioFile } = {}) {
  const server = http.createServer(async (req, res) => {
    const f = files[new URL(req.url, 'http://x').pathname];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' });
    res.end(await readFile(f.path));
  });
  await new Promise((resolve) => server.listen(0, env.host, resolve));
  const base = `http://${env.host}:${server.address().port}`;
  const args = [
    '--headless', '--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run',
    // The analyser's AudioContext must run without a click.
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (audioFile) args.push(`--use-file-for-fake-audio-capture=${audioFile}`);
  const browser = await chromium.launch({ executablePath: process.env.CG_CHROMIUM || '/usr/bin/chromium', headless: true, timeout: 30000, args });
  const contexts = [];
  return {
    async newPage(path = '/') {
      const context = await browser.newContext();
      contexts.push(context);
      const p = await context.newPage();
      p.consoleLines = [];
      p.on('console', (m) => p.consoleLines.push(`${m.type()}: ${m.text()}`));
      p.on('pageerror', (e) => p.consoleLines.push(`pageerror: ${e.message}`));
      await p.goto(base + path, { timeout: 10000 });
      await p.evaluate(() => window.cgReady);
      return p;
    },
    async closePages() {
      await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
    },
    async close() {
      await this.closePages();
      await browser.close().catch(() => {});
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
