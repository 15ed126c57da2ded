// What the browser tests (try-page.mjs, try-room.mjs) share: headless Chromium through playwright-core, pages whose
// errors are collected, checks, and waits on the page's log. The browser contacts only the page's host: background
// networking is off.
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const STEP_TIMEOUT_MS = 15_000;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function step(text) {
    console.log(`step: ${text}`);
}

export function check(condition, text) {
    if (!condition) {
        throw new Error(`check failed: ${text}`);
    }
}

/** The last log line of a page with this kind, path (or any) and text, once it is there. */
export async function logLine(page, kind, path, text) {
    const selector = path ? `#log li[data-kind="${kind}"][data-path="${path}"]` : `#log li[data-kind="${kind}"]`;
    const line = page.locator(selector).filter({ hasText: text }).last();
    await line.waitFor({ state: 'visible' });
    return line;
}

/** Waits until the element's data-state is expected. */
export async function state(page, selector, expected) {
    await page.locator(`${selector}[data-state="${expected}"]`).waitFor({ state: 'visible' });
}

export async function say(page, text) {
    await page.fill('#text', text);
    await page.click('#send');
}

/** n bytes of a fixed pattern. */
export function sampleBytes(n) {
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < bytes.length; i++) {
        bytes[i] = (i * 7 + 3) & 0xff;
    }
    return bytes;
}

export function digest(data) {
    return createHash('sha256').update(Buffer.from(data)).digest('hex');
}

/** The bytes behind a log line's download link. */
export async function downloaded(page, line) {
    const href = await line.locator('a[download]').getAttribute('href');
    return page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())), href);
}

/**
 * Runs scenario({context, openPage}) in a fresh headless Chromium with its profile under outDir (emptied first),
 * then checks that no page threw or logged a console error. On failure it screenshots every page into outDir.
 * Prints "browser test passed" or "browser test FAILED" last and exits the process with 0 or 1.
 * @param {Function} [initScript] runs in every page before its scripts
 */
export async function runInBrowser(outDir, scenario, initScript = null) {
    const profile = join(outDir, 'profile');
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(profile, { recursive: true });
    const problems = [];
    let context;
    let failed = false;
    try {
        context = await chromium.launchPersistentContext(profile, {
            executablePath,
            headless: true,
            timeout: STEP_TIMEOUT_MS,
            viewport: { width: 900, height: 820 },
            // Chromium offers loopback WebRTC candidates only to pages that may enumerate networks (media
            // permission), and only with --allow-loopback-in-peer-connection; the page never asks for a camera.
            permissions: ['camera', 'microphone'],
            args: [
                '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--disable-default-apps', '--disable-domain-reliability', '--no-pings',
                '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
            ],
        });
        context.setDefaultTimeout(STEP_TIMEOUT_MS);
        if (initScript) {
            await context.addInitScript(initScript);
        }
        const openPage = async (url, name) => {
            const page = await context.newPage();
            page.on('pageerror', (error) => problems.push(`${name}: uncaught ${error.message}`));
            page.on('console', (message) => {
                if (message.type() === 'error') {
                    problems.push(`${name}: console error ${message.text()}`);
                }
            });
            await page.goto(url);
            return page;
        };
        await scenario({ context, openPage });
        check(problems.length === 0, `no errors in the pages: ${problems.join('; ')}`);
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
}
