// Drives the page's room mode in headless Chromium: three pages join one room and see each other, one broadcasts,
// one sends a direct text, one sends a file, then one leaves.
//
//   node try-room.mjs <page url> <output dir>
//
// Exit code 0 and the last line "browser test passed" on success. Started by BrowserIT (mvn -B verify).
import { join } from 'node:path';
import { check, digest, downloaded, logLine, runInBrowser, sampleBytes, say, state, step } from './browser.mjs';

const [pageUrl, outDir] = process.argv.slice(2);
if (!pageUrl || !outDir) {
    console.error('usage: node try-room.mjs <page url> <output dir>');
    process.exit(2);
}
const MEMBER_ID = /^[A-Za-z0-9_-]{11}$/;

/** The page's own member id, once it joined. */
async function memberId(page) {
    const you = page.locator('#members li.you');
    await you.waitFor({ state: 'visible' });
    return you.getAttribute('data-member');
}

/** Waits until the page's member list holds exactly these ids. */
async function membersAre(page, ids, name) {
    const expected = [...ids].sort().join(',');
    await page.waitForFunction((want) => {
        const shown = [...document.querySelectorAll('#members li')].map((li) => li.dataset.member);
        return shown.sort().join(',') === want;
    }, expected).catch(async (error) => {
        const shown = await page.locator('#members li').evaluateAll((items) => items.map((li) => li.dataset.member));
        throw new Error(`${name}'s member list is ${shown.join(',')}, not ${expected}: ${error.message}`);
    });
    const count = await page.textContent('#member-count');
    check(count === String(ids.length), `${name} counts ${ids.length} members, shows ${count}`);
}

/** How many received (kind in) log lines of the page contain the text. */
async function receivedCount(page, text) {
    return page.locator('#log li[data-kind="in"]').filter({ hasText: text }).count();
}

async function scenario({ openPage }) {
    step('page A chooses a room and joins it alone');
    const a = await openPage(pageUrl, 'A');
    await a.check('#kind-room');
    const roomId = await a.inputValue('#relay-id');
    await a.click('#connect');
    await state(a, '#state', 'joined');
    await logLine(a, 'control', null, '0 other members');
    const share = await a.inputValue('#share');
    const link = new URL(share);
    check(link.searchParams.get('kind') === 'room', `the share link says room: ${share}`);
    check(link.searchParams.get('token') === new URL(pageUrl).searchParams.get('token'), `and has the token: ${share}`);
    check(share.endsWith(`#${roomId}`), `and ends with the room id: ${share}`);
    check(await a.isHidden('#mode-webrtc'), 'the WebRTC choice is hidden in a room');

    step('pages B and C open the share link and join');
    const b = await openPage(share, 'B');
    check(await b.isChecked('#kind-room'), 'page B is in room mode from the link');
    await state(b, '#state', 'joined');
    const c = await openPage(share, 'C');
    await state(c, '#state', 'joined');
    const ids = { a: await memberId(a), b: await memberId(b), c: await memberId(c) };
    for (const [name, mid] of Object.entries(ids)) {
        check(MEMBER_ID.test(mid), `${name}'s member id has 11 characters of [A-Za-z0-9_-]: ${mid}`);
    }
    check(new Set(Object.values(ids)).size === 3, `three different member ids: ${Object.values(ids)}`);
    const all = Object.values(ids);
    for (const [name, page] of [['A', a], ['B', b], ['C', c]]) {
        await membersAre(page, all, name);
    }
    await logLine(a, 'control', null, `${ids.c} joined`);
    await logLine(c, 'control', null, '2 other members');

    step('A broadcasts: B and C get it, A does not');
    await say(a, 'hello room from A');
    await logLine(a, 'out', 'all', 'hello room from A');
    const atB = await logLine(b, 'in', 'all', 'hello room from A');
    await logLine(c, 'in', 'all', 'hello room from A');
    check(await atB.getAttribute('data-from') === null, 'a broadcast names no sender');

    step('B sends a direct text to C: only C gets it, from B');
    await b.selectOption('#to', ids.c);
    await say(b, 'only for C');
    await logLine(b, 'out', 'direct', 'only for C');
    const atC = await logLine(c, 'in', 'direct', 'only for C');
    check(await atC.getAttribute('data-from') === ids.b, `C sees it from B (${ids.b})`);
    check((await atC.textContent()).includes(`${ids.b} to you`), 'C sees who sent it');
    // B's later broadcast reaches A after anything B sent A before (per-sender order): then A has seen all of it
    await b.selectOption('#to', '');
    await say(b, 'B to everyone');
    await logLine(a, 'in', 'all', 'B to everyone');
    await logLine(c, 'in', 'all', 'B to everyone');
    check(await receivedCount(a, 'only for C') === 0, 'A did not get the direct text to C');
    check(await receivedCount(b, 'only for C') === 0, 'B did not get its direct text back');
    check(await receivedCount(a, 'hello room from A') === 0, 'A did not get its broadcast back');

    step('C sends a file to everyone');
    const bytes = sampleBytes(3000);
    await c.setInputFiles('#file', { name: 'room.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await c.click('#send-file');
    await logLine(c, 'out', 'all', 'room.bin: 3000 bytes');
    for (const [name, page] of [['A', a], ['B', b]]) {
        const arrived = await logLine(page, 'in', 'all', '3000 bytes');
        check(digest(await downloaded(page, arrived)) === digest(bytes), `${name} downloads the bytes C sent`);
    }
    await say(a, 'thanks, C');
    await logLine(c, 'in', 'all', 'thanks, C');
    check(await receivedCount(c, '3000 bytes') === 0, 'C did not get its file back');
    await b.screenshot({ path: join(outDir, 'room.png') });

    step('C leaves: A and B drop it from their lists');
    await c.close();
    await logLine(a, 'control', null, `${ids.c} left`);
    await logLine(b, 'control', null, `${ids.c} left`);
    await membersAre(a, [ids.a, ids.b], 'A');
    await membersAre(b, [ids.a, ids.b], 'B');
    check(await a.locator('#to option').count() === 2, 'A can still choose everyone or B');
}

await runInBrowser(outDir, scenario);
