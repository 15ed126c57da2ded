// Drives the relay's page in headless Chromium: two pages pair on a fresh id, chat through the relay both ways,
// send a file, switch to WebRTC and chat over the data channel, then one leaves.
//
//   node try-page.mjs <page url> <output dir>
//
// Exit code 0 and the last line "browser test passed" on success. Started by BrowserIT (mvn -B verify).
// The browser contacts only the page's host: background networking is off, and WebRTC candidates other than
// loopback ones are dropped before they reach a peer connection.
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [pageUrl, outDir] = process.argv.slice(2);
if (!pageUrl || !outDir) {
    console.error('usage: node try-page.mjs <page url> <output dir>');
    process.exit(2);
}
const STEP_TIMEOUT_MS = 15_000;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const profile = join(outDir, 'profile');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(profile, { recursive: true });

/** Runs in every page before its scripts: keeps WebRTC connectivity checks on loopback addresses. */
function loopbackOnlyCandidates() {
    const loopback = (address) => address === '127.0.0.1' || address === '::1' || address === '[::1]';
    const keep = (line) => {
        const fields = line.replace(/^a=/, '').split(' ');
        return fields.length < 5 || loopback(fields[4]);
    };
    const add = RTCPeerConnection.prototype.addIceCandidate;
    RTCPeerConnection.prototype.addIceCandidate = function (candidate, ...rest) {
        if (candidate && candidate.candidate && !keep(candidate.candidate)) {
            return Promise.resolve();
        }
        return add.call(this, candidate, ...rest);
    };
    const setRemote = RTCPeerConnection.prototype.setRemoteDescription;
    RTCPeerConnection.prototype.setRemoteDescription = function (description, ...rest) {
        if (description && description.sdp) {
            const sdp = description.sdp.split('\r\n')
                .filter((line) => !line.startsWith('a=candidate:') || keep(line)).join('\r\n');
            description = { type: description.type, sdp };
        }
        return setRemote.call(this, description, ...rest);
    };
}

const problems = [];
let context;

function step(text) {
    console.log(`step: ${text}`);
}

function check(condition, text) {
    if (!condition) {
        throw new Error(`check failed: ${text}`);
    }
}

/** The log line of a page with this kind, path and text, once it is there. */
async function logLine(page, kind, path, text) {
    const selector = path ? `#log li[data-kind="${kind}"][data-path="${path}"]` : `#log li[data-kind="${kind}"]`;
    const line = page.locator(selector).filter({ hasText: text }).last();
    await line.waitFor({ state: 'visible' });
    return line;
}

async function state(page, selector, expected) {
    await page.locator(`${selector}[data-state="${expected}"]`).waitFor({ state: 'visible' });
}

async function say(page, text) {
    await page.fill('#text', text);
    await page.click('#send');
}

async function openPage(url, name) {
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`${name}: uncaught ${error.message}`));
    page.on('console', (message) => {
        if (message.type() === 'error') {
            problems.push(`${name}: console error ${message.text()}`);
        }
    });
    await page.goto(url);
    return page;
}

async function run() {
    context = await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        timeout: STEP_TIMEOUT_MS,
        viewport: { width: 900, height: 820 },
        // Chromium offers loopback candidates only to pages that may enumerate networks (media permission),
        // and only with --allow-loopback-in-peer-connection; the page never asks for camera or microphone.
        permissions: ['camera', 'microphone'],
        args: [
            '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-default-apps', '--disable-domain-reliability', '--no-pings',
            '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
        ],
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.addInitScript(loopbackOnlyCandidates);

    step('page A generates an id and waits');
    const a = await openPage(pageUrl, 'A');
    const id = await a.inputValue('#relay-id');
    check(/^[A-Za-z0-9_-]{22}$/.test(id), `a generated id of 128 bits in base64url, got "${id}"`);
    await a.click('#connect');
    await logLine(a, 'control', null, '/status:waiting');
    await state(a, '#state', 'waiting');
    const share = await a.inputValue('#share');
    check(share.endsWith(`#${id}`), `the share link ends with the id: ${share}`);
    const token = new URL(pageUrl).searchParams.get('token');
    check(new URL(share).searchParams.get('token') === token, `the share link carries the page's token: ${share}`);

    step('page B opens the share link and pairs');
    const b = await openPage(share, 'B');
    check(await b.inputValue('#relay-id') === id, 'page B took the id from the link');
    await state(b, '#state', 'connected');
    await state(a, '#state', 'connected');
    await logLine(a, 'control', null, '/remote:open');
    await logLine(b, 'control', null, '/status:connected');
    check(await b.locator('#log li', { hasText: '/remote:open' }).count() === 0, 'only the waiting side gets /remote:open');

    step('chat through the relay both ways');
    await say(a, 'hello from A');
    await logLine(a, 'out', 'relay', 'hello from A');
    await logLine(b, 'in', 'relay', 'hello from A');
    await say(b, 'hello from B');
    await logLine(a, 'in', 'relay', 'hello from B');

    step('B sends a file (binary) through the relay');
    const bytes = Buffer.alloc(3000);
    for (let i = 0; i < bytes.length; i++) {
        bytes[i] = (i * 7 + 3) & 0xff;
    }
    await b.setInputFiles('#file', { name: 'sample.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await b.click('#send-file');
    await logLine(b, 'out', 'relay', 'sample.bin: 3000 bytes');
    const arrived = await logLine(a, 'in', 'relay', '3000 bytes');
    const href = await arrived.locator('a[download]').getAttribute('href');
    const received = await a.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())), href);
    const digest = (data) => createHash('sha256').update(Buffer.from(data)).digest('hex');
    check(digest(received) === digest(bytes), 'the downloaded file has the bytes sent');
    await a.screenshot({ path: join(outDir, 'paired.png') });

    step('both switch to WebRTC; the relay carries the signalling');
    await a.check('#mode-webrtc');
    await b.check('#mode-webrtc');
    await state(a, '#rtc-state', 'open');
    await state(b, '#rtc-state', 'open');
    await logLine(a, 'info', null, 'sent a WebRTC offer');
    await logLine(b, 'info', null, 'received a WebRTC offer');

    step('chat over the data channel both ways');
    await say(a, 'peer to peer from A');
    await logLine(a, 'out', 'datachannel', 'peer to peer from A');
    await logLine(b, 'in', 'datachannel', 'peer to peer from A');
    await say(b, 'peer to peer from B');
    await logLine(a, 'in', 'datachannel', 'peer to peer from B');
    await a.screenshot({ path: join(outDir, 'webrtc.png') });

    step('B leaves; A is told and waits again');
    await b.close();
    await logLine(a, 'control', null, '/remote:close');
    await state(a, '#state', 'waiting');

    check(problems.length === 0, `no errors in the pages: ${problems.join('; ')}`);
}

let failed = false;
try {
    await run();
} catch (error) {
    failed = true;
    console.error(`browser test failed: ${error.stack ?? error}`);
    for (const problem of problems) {
        console.error(problem);
    }
    for (const [index, page] of (context?.pages() ?? []).entries()) {
        await page.screenshot({ path: join(outDir, `failure-${index}.png`) }).catch(() => {});
    }
} finally {
    await context?.close().catch(() => {});
}
console.log(failed ? 'browser test FAILED' : 'browser test passed');
process.exit(failed ? 1 : 0);
