// A check of a running `make demo`: the WebSDK in headless Chromium connects to the demo's gateway as 3000,
// calls baresip 3001 and measures what it hears (the demo device plays 1000 Hz). Not part of `make test` (the
// demo runs on the machine's own 127.0.0.1 ports); run by hand: node tests/e2e/demo_call.mjs
import { startBrowserRig } from './browser_rig.mjs';

const rig = await startBrowserRig();
let code = 1;
try {
  const page = await rig.newPage('/echo.html');
  await page.evaluate((o) => window.cgConnect(o), {
    urlServer: 'ws://127.0.0.1:8080',
    sipOptions: { login: '3000', authenticationName: '3000', password: '1234', domain: '127.0.0.1', outboundProxy: '127.0.0.1', port: '5060', registerRequired: true },
  });
  await page.evaluate(() => window.cgCall({ callee: '3001', video: false }));
  for (let i = 0; i < 100; i++) {
    if ((await page.evaluate(() => window.callEvents.map((e) => e.status))).includes('ESTABLISHED')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const peaks = await page.evaluate(() => window.cgPeakFrequency(10, 200));
  const hz = peaks.map((p) => Math.round(p.hz));
  console.log(`statuses: ${(await page.evaluate(() => window.callEvents.map((e) => e.status))).join(' ')}; peaks (Hz): ${hz.join(' ')}`);
  await page.evaluate(() => window.call.hangup());
  code = hz.filter((h) => Math.abs(h - 1000) <= 15).length >= 7 ? 0 : 1;
} finally {
  await rig.close();
}
process.exit(code);
