// report.html in a real browser (Debian's chromium driven by playwright-core): it loads from a
// file with no console message and no page error, runs no script even though the findings carry
// `<script>`, shows the findings and charts, and a screenshot goes to test-output/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReportHtml } from '../../src/render/report-html.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { HOSTILE, HOSTILE_DOMAIN, hostileReport } from './fixture-report.js';
import { launchChromium, watchedPage } from './chromium.js';

test('report.html loads offline without console errors, shows the findings and runs no script', async () => {
  const file = join(tempDir(), 'report.html');
  writeFileSync(file, renderReportHtml(hostileReport()));
  const browser = await launchChromium();
  try {
    const { page, messages, requests } = await watchedPage(browser);
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    assert.deepEqual(messages, []);
    assert.deepEqual(requests, [pathToFileURL(file).href]);
    assert.equal(await page.locator('script').count(), 0);
    assert.equal(await page.locator('#totals').innerText(), '1 new, 0 ongoing, 0 resolved — exit 1 (fails on low confidence or higher)');
    const card = page.locator('section.card.new');
    assert.equal(await card.count(), 1);
    assert.equal(await card.locator('.domain').innerText(), HOSTILE_DOMAIN);
    assert.equal(await card.getAttribute('data-domain'), HOSTILE_DOMAIN);
    assert.match(await card.locator('.fix').innerText(), /^Fix: Set SuppressExternal=1/);
    assert.equal(await card.locator('svg.chart rect').count(), 7);
    await card.locator('details summary').click();
    assert.match(await card.locator('details').innerText(), new RegExp(`Re: ${HOSTILE.replace(/[()]/g, '\\$&')}`));
    assert.equal(await page.locator('#domains tr').count(), 3);

    const out = join(REPO, 'test-output');
    mkdirSync(out, { recursive: true });
    const shot = await page.screenshot({ path: join(out, 'report-hostile.png'), fullPage: true });
    assert.ok(shot.length > 10_000, `screenshot of ${shot.length} bytes`);
  } finally {
    await browser.close();
  }
});
