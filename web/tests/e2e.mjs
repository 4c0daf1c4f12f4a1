// Browser test of the built page (web/dist) in Debian's Chromium, driven by playwright-core
// (which downloads no browser). Run by `cargo xtask web test` and `cargo xtask test`, which
// build the page and write test-results/expected.json (the native result for tests/bad)
// first. Writes test-results/page.png and test-results/effective.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(web, 'dist');
const results = path.join(web, 'test-results');
const fixture = path.join(web, 'tests', 'bad');
const badMain = fs.readFileSync(path.join(fixture, 'main.cf'), 'utf8');
const badMaster = fs.readFileSync(path.join(fixture, 'master.cf'), 'utf8');
const expected = JSON.parse(fs.readFileSync(path.join(results, 'expected.json'), 'utf8'));
const staticFiles = new Set(['/', ...fs.readdirSync(dist).map((f) => `/${f}`)]);

let passed = 0;
let failed = 0;
let current = 'start';
async function check(name, body) {
  current = name;
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e.stack ?? e).split('\n').join('\n     ')}`);
  }
}

const server = await serve(dist);
const origin = `http://127.0.0.1:${server.address().port}`;
const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'postlint-e2e-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1440, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage'],
});
const requests = [];
const problems = [];
context.on('request', (r) => requests.push({ url: r.url(), type: r.resourceType(), phase: phase.name }));
const phase = { name: 'load' };

function watch(page) {
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(`${current}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${current}: ${e}`));
}

async function open(url) {
  const page = await context.newPage();
  watch(page);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  return page;
}

async function pageReport(page) {
  return JSON.parse(await page.textContent('[data-testid="report-json"]'));
}

async function listedRules(page) {
  return page.$$eval('[data-testid="diagnostic"]', (items) => items.map((i) => i.dataset.rule).sort());
}

async function paste(page, testid, text) {
  await page.click(`[data-testid="${testid}"] .cm-content`);
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

try {
  const page = await open(`${origin}/`);
  phase.name = 'interaction';

  await check('the page starts with the bundled example and lists its findings', async () => {
    assert.match(await page.locator('[data-testid="editor-main"] .cm-content').textContent(), /compatibility_level/);
    const rules = await listedRules(page);
    assert.ok(rules.length > 0, 'the example has findings');
  });

  await check('the privacy statement is on the page', async () => {
    assert.match(await page.textContent('[data-testid="privacy"]'), /never leaves this page/);
  });

  await paste(page, 'editor-main', badMain);
  await paste(page, 'editor-master', badMaster);
  await page.waitForSelector('[data-testid="diagnostic"][data-rule="unknown-parameter"]');

  await check('pasting a bad config lists the expected rule', async () => {
    const item = page.locator('[data-testid="diagnostic"][data-rule="unknown-parameter"]');
    assert.equal(await item.count(), 1);
    assert.match(await item.textContent(), /myhostnam/);
    assert.equal(await item.getAttribute('data-severity'), 'warning');
    assert.ok(await page.isVisible('[data-testid="group-warning"]'), 'grouped by severity');
  });

  await check('the squiggle covers exactly the misspelt name (UTF-16 offsets after non-ASCII text)', async () => {
    const squiggles = page.locator('[data-testid="editor-main"] .cm-lintRange-warning');
    const texts = await squiggles.allTextContents();
    assert.ok(texts.includes('myhostnam'), `squiggles: ${JSON.stringify(texts)}`);
  });

  await check('hovering the squiggle shows the message', async () => {
    await page.hover('[data-testid="editor-main"] .cm-lintRange-warning >> text=myhostnam');
    const tip = await page.waitForSelector('.cm-tooltip-lint', { timeout: 5000 });
    assert.match(await tip.textContent(), /unknown-parameter|myhostnam/);
  });

  await check('the page shows exactly what the native check computes for the same input', async () => {
    assert.deepEqual(await pageReport(page), expected);
    const rules = await listedRules(page);
    assert.deepEqual(rules, expected.diagnostics.map((d) => d.rule).sort());
  });

  await check('clicking a finding selects its line in the editor', async () => {
    await page.click('[data-testid="diagnostic"][data-rule="duplicate-parameter"]');
    const active = await page.textContent('[data-testid="editor-main"] .cm-activeLine');
    assert.match(active, /smtpd_tls_security_level/);
    const selected = await page.evaluate(() => window.getSelection().toString());
    assert.ok(selected.length > 0, 'a range is selected');
  });

  await check('the strict pack selector re-checks', async () => {
    const before = (await pageReport(page)).diagnostics.length;
    await page.check('[data-testid="pack-strict"]');
    await page.waitForFunction((n) => {
      const r = JSON.parse(document.querySelector('[data-testid="report-json"]').textContent);
      return r.diagnostics.length >= n;
    }, before);
    await page.uncheck('[data-testid="pack-strict"]');
    await page.waitForFunction((n) => JSON.parse(document.querySelector('[data-testid="report-json"]').textContent).diagnostics.length === n, before);
  });

  await check('the Postfix version selector re-checks against that release', async () => {
    const rpk = '[data-testid="diagnostic"][data-rule="unknown-parameter"]:has-text("smtp_tls_enable_rpk")';
    await page.click('[data-testid="editor-main"] .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('smtp_tls_enable_rpk = yes\n');
    await page.selectOption('[data-testid="version"]', '3.7');
    await page.waitForSelector(rpk);
    assert.match(await page.textContent(rpk), /introduced in 3\.9/);
    await page.selectOption('[data-testid="version"]', '3.11');
    await page.waitForSelector(rpk, { state: 'detached' });
    await paste(page, 'editor-main', badMain);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="diagnostic"]').length === n, expected.diagnostics.length);
  });

  await check('the effective configuration of a service shows its facts and -o values', async () => {
    await page.click('[data-testid="tab-effective"]');
    await page.selectOption('[data-testid="service"]', 'submission/inet');
    await page.waitForSelector('[data-testid="facts"]');
    assert.match(await page.textContent('[data-testid="facts"]'), /smtpd/);
    const row = page.locator('tr[data-param="syslog_name"]');
    assert.match(await row.textContent(), /postfix\/submission/);
    assert.match(await row.textContent(), /master\.cf line 4/);
    await page.screenshot({ path: path.join(results, 'effective.png') });
    await page.click('[data-testid="tab-findings"]');
  });

  await check('typing re-checks (debounced)', async () => {
    await page.click('[data-testid="editor-main"] .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nsmtpd_bogus_thing = 1\n');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="diagnostic"][data-rule="unknown-parameter"]').length === 2);
    await paste(page, 'editor-main', badMain);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="diagnostic"][data-rule="unknown-parameter"]').length === 1);
  });

  // The screenshot shows the findings from the top and the message of the first squiggle.
  await page.$eval('#tab-findings', (body) => { body.scrollTop = 0; });
  await page.hover('[data-testid="editor-main"] .cm-lintRange-warning >> text=myhostnam');
  await page.waitForSelector('.cm-tooltip-lint');
  await page.screenshot({ path: path.join(results, 'page.png') });

  await check('after loading, the page made no network request at all', async () => {
    const after = requests.filter((r) => r.phase === 'interaction');
    assert.deepEqual(after, []);
  });

  phase.name = 'permalink';
  const link = page.url();
  await check('the address holds the configuration as #cfg=base64url(JSON)', async () => {
    const fragment = new URL(link).hash;
    assert.ok(fragment.startsWith('#cfg='), fragment.slice(0, 20));
    const value = JSON.parse(Buffer.from(fragment.slice(5), 'base64url').toString('utf8'));
    assert.deepEqual(value, { 'main.cf': badMain, 'master.cf': badMaster });
  });

  await check('opening the permalink shows the same findings', async () => {
    const again = await open(link);
    assert.deepEqual(await pageReport(again), expected);
    assert.deepEqual(await listedRules(again), expected.diagnostics.map((d) => d.rule).sort());
    await again.close();
  });

  await check('a link made outside the page (the documented format) loads and checks', async () => {
    const payload = Buffer.from(JSON.stringify({ 'main.cf': badMain, 'master.cf': badMaster }), 'utf8').toString('base64url');
    const again = await open(`${origin}/#cfg=${payload}`);
    assert.deepEqual(await pageReport(again), expected);
    assert.ok(await again.isVisible('[data-testid="editor-main"] .cm-lintRange-warning'));
    await again.close();
  });

  await check('a damaged link says so instead of failing silently', async () => {
    const again = await context.newPage();
    await again.goto(`${origin}/#cfg=%%%not-base64`);
    await again.waitForSelector('body[data-ready="true"]');
    assert.match(await again.textContent('[data-testid="status"]'), /damaged/);
    await again.close();
  });

  await check('every request was for one of the page\'s own static files', async () => {
    const foreign = requests.filter((r) => {
      const url = new URL(r.url);
      return url.origin !== origin || !staticFiles.has(url.pathname);
    });
    assert.deepEqual(foreign, []);
    assert.ok(requests.some((r) => r.url.endsWith('.wasm')), 'the wasm module was fetched');
    console.log(`     ${requests.length} requests, all to ${origin}: ${[...new Set(requests.map((r) => new URL(r.url).pathname))].join(' ')}`);
  });

  await check('no console error, page error or Content-Security-Policy violation', async () => {
    assert.deepEqual(problems, []);
  });
} finally {
  await context.close();
  server.close();
}

// The summary line has cargo's format, so `cargo xtask test` adds it to its total.
console.log(`test result: ${failed ? 'FAILED' : 'ok'}. ${passed} passed; ${failed} failed; browser test, screenshots in web/test-results/`);
process.exit(failed ? 1 : 0);
