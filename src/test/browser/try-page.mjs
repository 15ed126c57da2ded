// Drives the relay's page in headless Chromium: two pages pair on a fresh id, chat through the relay both ways,
// send a file, switch to WebRTC and chat over the data channel, then one leaves.
//
//   node try-page.mjs <page url> <output dir>
//
// Exit code 0 and the last line "browser test passed" on success. Started by BrowserIT (mvn -B verify).
// WebRTC candidates other than loopback ones are dropped before they reach a peer connection.
import { join } from 'node:path';
import { check, digest, downloaded, logLine, runInBrowser, sampleBytes, say, state, step } from './browser.mjs';

const [pageUrl, outDir] = process.argv.slice(2);
if (!pageUrl || !outDir) {
    console.error('usage: node try-page.mjs <page url> <output dir>');
    process.exit(2);
}

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

async function scenario({ openPage }) {
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
    const bytes = sampleBytes(3000);
    await b.setInputFiles('#file', { name: 'sample.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await b.click('#send-file');
    await logLine(b, 'out', 'relay', 'sample.bin: 3000 bytes');
    const arrived = await logLine(a, 'in', 'relay', '3000 bytes');
    check(digest(await downloaded(a, arrived)) === digest(bytes), 'the downloaded file has the bytes sent');
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
}

await runInBrowser(outDir, scenario, loopbackOnlyCandidates);
