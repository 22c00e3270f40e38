// Measures the customer managed keys table with many keys in the console's sandbox (a measuring
// script, not a test: it asserts nothing and prints numbers).
//
//   node tests/e2e/measure-keys.mjs [DIST_DIR]     (default <repo>/dist; build it first with
//                                                   `trunk build --release`)
//   KEYS=5000 RUNS=5 node tests/e2e/measure-keys.mjs
//
// In one browser profile it creates KEYS customer managed keys, each with an alias, through the
// page's `window.kms` (from a page without a key table, so no table follows the changes), then
// measures, RUNS times each:
//   navigation   - a new tab navigates to #/keys: time from navigation start (the page's
//                  performance.now()) until the table's first key row is in the DOM; this
//                  includes loading the console and opening the sandbox from IndexedDB;
//   route change - in an open tab, #/pricing -> #/keys: time from the hash change until the
//                  first key row (the key table's own cost);
// and how many DescribeKey calls one opening of the table made (the sandbox's CloudTrail event
// history, LookupEvents from the sandbox time it was opened; past 1,000 it says "more than");
// then the Encrypt and decrypt page's key picker:
//   crypto page  - #/pricing -> #/crypto: time from the hash change until the key picker shows;
//   keystroke    - one character typed in its "Or enter a key ID" field: time from the input
//                  event until the page has rendered the hint for it (the page's re-render).
// Prints each run, then the median, min and max.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './helpers.mjs';
import { startServer } from './server.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = resolve(process.argv[2] || join(HERE, '../../dist'));
const KEYS = Number(process.env.KEYS || 5000);
const RUNS = Number(process.env.RUNS || 5);

const FIRST_ROW = 'table[data-table=customer-managed] tbody tr[data-key-id]';

// Records when the first key row appears, from the first script that runs.
const PROBE = (selector) => {
  const check = () => {
    if (window.__firstRow === undefined && document.querySelector(selector)) window.__firstRow = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
};

// DescribeKey calls since sandbox time `since` (ms), from the sandbox's CloudTrail event history;
// counting stops past `cap` (each LookupEvents page of 50 reads the history again).
async function describeKeyCalls(page, since, cap = 1000) {
  return page.evaluate(
    async ({ since, cap }) => {
      let n = 0;
      let NextToken;
      do {
        const r = await window.kms.service('cloudtrail').send('LookupEvents', {
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }],
          StartTime: new Date(since),
          MaxResults: 50,
          NextToken,
        });
        n += r.Events.length;
        NextToken = r.NextToken;
      } while (NextToken && n < cap);
      return NextToken ? `more than ${n}` : String(n);
    },
    { since, cap },
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, ${xs.length} runs)`;

const srv = await startServer({ dir: DIST });
const browser = await launchBrowser();
try {
  const url = `${srv.origin}/`;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(600_000);
  const seed = await context.newPage();
  await seed.goto(`${url}#/pricing`);
  await seed.waitForFunction(() => window.kms);
  console.log(`dist: ${DIST}`);
  let t0 = Date.now();
  for (let from = 0; from < KEYS; from += 500) {
    await seed.evaluate(
      async ({ from, to }) => {
        for (let i = from; i < to; i++) {
          const { KeyMetadata } = await window.kms.send('CreateKey', { Description: `measure ${i}` });
          await window.kms.send('CreateAlias', { AliasName: `alias/measure-${String(i).padStart(6, '0')}`, TargetKeyId: KeyMetadata.KeyId });
        }
        await window.kms.flushEvents();
      },
      { from, to: Math.min(from + 500, KEYS) },
    );
    console.log(`  ${Math.min(from + 500, KEYS)} keys after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`created ${KEYS} keys with aliases through window.kms in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await seed.close();

  const navigation = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    await page.addInitScript(PROBE, FIRST_ROW);
    await page.goto(`${url}#/keys`);
    await page.waitForFunction(() => window.__firstRow !== undefined, null, { timeout: 600_000 });
    navigation.push(await page.evaluate(() => window.__firstRow));
    console.log(`  navigation ${i + 1}: ${navigation[i].toFixed(0)} ms`);
    // Let every describe of this view finish before the next.
    await page.waitForFunction(() => !document.querySelector('table[aria-busy=true], table .loading'));
    await page.close();
  }

  const routeChange = [];
  const page = await context.newPage();
  await page.goto(`${url}#/pricing`);
  await page.waitForFunction(() => window.kms);
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => { location.hash = '#/pricing'; });
    await page.waitForFunction(() => !document.querySelector('table[data-table]'));
    await page.waitForTimeout(200);
    const ms = await page.evaluate(
      (selector) =>
        new Promise((done) => {
          const start = performance.now();
          const observer = new MutationObserver(() => {
            if (document.querySelector(selector)) {
              observer.disconnect();
              done(performance.now() - start);
            }
          });
          observer.observe(document, { childList: true, subtree: true });
          location.hash = '#/keys';
        }),
      FIRST_ROW,
    );
    routeChange.push(ms);
    console.log(`  route change ${i + 1}: ${ms.toFixed(0)} ms`);
  }
  // One more opening of the table, and the DescribeKey calls it made.
  await page.evaluate(() => { location.hash = '#/pricing'; });
  await page.waitForFunction(() => !document.querySelector('table[data-table]'));
  // (Event times have whole seconds: 3 s after the last view, from the second before now.)
  await page.waitForTimeout(3000);
  const since = await page.evaluate(() => Math.floor(window.kms.clock.now().getTime() / 1000) * 1000 - 1000);
  await page.evaluate(() => { location.hash = '#/keys'; });
  await page.waitForSelector(FIRST_ROW, { timeout: 600_000 });
  await page.waitForFunction(() => !document.querySelector('table[aria-busy=true], table .loading'));
  await page.waitForTimeout(1000);
  const describes = await describeKeyCalls(page, since);

  // The Encrypt and decrypt page: its key picker, then a keystroke that renders the page again.
  const cryptoPage = [];
  const keystroke = [];
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => { location.hash = '#/pricing'; });
    await page.waitForFunction(() => !document.querySelector('#crypto-key'));
    await page.waitForTimeout(200);
    cryptoPage.push(
      await page.evaluate(
        () =>
          new Promise((done) => {
            const start = performance.now();
            const observer = new MutationObserver(() => {
              if (document.querySelector('#crypto-key option')) {
                observer.disconnect();
                done(performance.now() - start);
              }
            });
            observer.observe(document, { childList: true, subtree: true });
            location.hash = '#/crypto';
          }),
      ),
    );
    await page.waitForTimeout(500);
    keystroke.push(
      await page.evaluate(
        (n) =>
          new Promise((done) => {
            const input = document.querySelector('#crypto-key-ref');
            const start = performance.now();
            const observer = new MutationObserver(() => {
              if (document.querySelector('[data-testid=key-ref-hint]')?.textContent.includes(`measure-${n}`)) {
                observer.disconnect();
                done(performance.now() - start);
              }
            });
            observer.observe(document, { childList: true, subtree: true, characterData: true });
            input.value = `alias/measure-${n}`;
            input.dispatchEvent(new InputEvent('input', { bubbles: true }));
          }),
        String(i).padStart(6, '0'),
      ),
    );
    console.log(`  crypto page ${i + 1}: ${cryptoPage[i].toFixed(0)} ms, keystroke ${keystroke[i].toFixed(0)} ms`);
  }
  const options = await page.evaluate(() => document.querySelectorAll('#crypto-key option').length);
  await page.close();
  await context.close();

  console.log(`${KEYS} customer managed keys (and the Region's AWS managed keys):`);
  console.log(`  navigation to #/keys -> first key row:   ${fmt(navigation)}`);
  console.log(`  route change to #/keys -> first key row: ${fmt(routeChange)}`);
  console.log(`  DescribeKey calls made by opening the table: ${describes}`);
  console.log(`  route change to #/crypto -> key picker:  ${fmt(cryptoPage)} (${options} options)`);
  console.log(`  keystroke in the key field -> rendered:  ${fmt(keystroke)}`);
} finally {
  await browser.close();
  await srv.close();
}
