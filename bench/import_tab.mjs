// One headless Chromium tab on the Import page for bench/ws_fanout.py: prints "ready" once the page is live,
// then, once the page shows the finished import, one line: how many percentages it displayed, how many times
// one was lower than the one before, and the last. Uses tests/ui's playwright-core (`npm ci` there).
//
//   node bench/import_tab.mjs http://127.0.0.1:PORT/import

import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(join(here, '..', 'tests', 'ui', 'node_modules', 'playwright-core', 'index.mjs')).href);

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('.import-status');
  await page.evaluate(() => {
    window.__percents = [];
    new MutationObserver(() => {
      const text = document.querySelector('.progress-percent')?.textContent ?? '';
      const m = text.match(/^(\d+)%/);
      if (m) window.__percents.push(Number(m[1]));
    }).observe(document.querySelector('.import-status'), { subtree: true, childList: true, characterData: true });
  });
  console.log('ready');
  await page.waitForSelector('.import-result:not([hidden])', { timeout: 1_800_000 });
  const percents = await page.evaluate(() => window.__percents);
  let backwards = 0;
  for (let i = 1; i < percents.length; i += 1) if (percents[i] < percents[i - 1]) backwards += 1;
  console.log(JSON.stringify({ shown_finished: true, updates: percents.length, backwards, last: percents.at(-1) }));
} finally {
  await browser.close();
}
