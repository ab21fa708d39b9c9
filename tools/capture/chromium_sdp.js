// Records the SDPs headless Chromium really produces (offer and answer with audio+video, and an audio-only
// offer), with ICE gathering complete so the candidates are in the SDP, for tests/data/sdp/chromium-*.sdp.
//
// Run (needs the `chromium` apt package and `playwright-core` from npm, installed OUTSIDE the repo until the
// project has its package.json):
//   mkdir -p /tmp/cg-chromium && (cd /tmp/cg-chromium && npm install playwright-core)
//   NODE_PATH=/tmp/cg-chromium/node_modules node tools/capture/chromium_sdp.js tests/data/sdp
// For loopback-only candidates run it inside a namespace that has only `lo`, as capture.sh does:
//   ip netns add cg-sdp && ip netns exec cg-sdp ip link set lo up
//   ip netns exec cg-sdp env NODE_PATH=... node tools/capture/chromium_sdp.js tests/data/sdp; ip netns del cg-sdp
//
// Writes chromium-offer-audio-video.sdp, chromium-answer-audio-video.sdp and chromium-offer-audio.sdp into the
// folder given (default: the current folder), byte for byte as localDescription.sdp (CRLF line ends).
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const kArgs = [
  '--headless',
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // Without it Chromium gathers no 127.0.0.1 candidate (TESTRIG.md).
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
];

// Runs in the page. Every wait is bounded: gathering that does not complete in `gatherMs` leaves the
// candidates found so far in the SDP, and the result says so.
async function pageSdps(gatherMs) {
  const gathered = (pc) =>
    new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve(true);
      const timer = setTimeout(() => resolve(false), gatherMs);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });

  const out = {};
  const av = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const pc1 = new RTCPeerConnection({ bundlePolicy: 'max-compat' });
  av.getTracks().forEach((t) => pc1.addTrack(t, av));
  await pc1.setLocalDescription(await pc1.createOffer());
  out.offerComplete = await gathered(pc1);
  out.offerAudioVideo = pc1.localDescription.sdp;

  const av2 = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const pc2 = new RTCPeerConnection({ bundlePolicy: 'max-compat' });
  av2.getTracks().forEach((t) => pc2.addTrack(t, av2));
  await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription(await pc2.createAnswer());
  out.answerComplete = await gathered(pc2);
  out.answerAudioVideo = pc2.localDescription.sdp;

  const a = await navigator.mediaDevices.getUserMedia({ audio: true });
  const pc3 = new RTCPeerConnection({ bundlePolicy: 'max-compat' });
  a.getTracks().forEach((t) => pc3.addTrack(t, a));
  await pc3.setLocalDescription(await pc3.createOffer());
  out.audioComplete = await gathered(pc3);
  out.offerAudio = pc3.localDescription.sdp;

  for (const pc of [pc1, pc2, pc3]) pc.close();
  for (const s of [av, av2, a]) s.getTracks().forEach((t) => t.stop());
  out.userAgent = navigator.userAgent;
  return out;
}

async function main() {
  const outDir = process.argv[2] || '.';
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: kArgs,
    timeout: 30000,
  });
  let exitCode = 0;
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(30000);
    // about:blank is not a secure context in headless Chromium 156: navigator.mediaDevices is undefined there.
    // http://localhost is one (W3C Secure Contexts §3.1), and Playwright answers it without any network.
    await page.route('http://localhost/', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>sdp</title>' }));
    await page.goto('http://localhost/');
    const r = await page.evaluate(pageSdps, 10000);
    const files = [
      ['chromium-offer-audio-video.sdp', r.offerAudioVideo, r.offerComplete],
      ['chromium-answer-audio-video.sdp', r.answerAudioVideo, r.answerComplete],
      ['chromium-offer-audio.sdp', r.offerAudio, r.audioComplete],
    ];
    for (const [name, sdp, complete] of files) {
      fs.writeFileSync(path.join(outDir, name), sdp, 'latin1');
      console.log(`${name}: ${sdp.length} bytes${complete ? '' : ' (ICE gathering did not complete in time)'}`);
      if (!complete) exitCode = 1;
    }
    console.log(`user agent: ${r.userAgent}`);
    console.log(`browser: ${browser.version()}`);
  } finally {
    await browser.close();
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
