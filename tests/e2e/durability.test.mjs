// End-to-end tests of the console's durability features: the strict Content-Security-Policy
// (tests/e2e/server.mjs sends it), two tabs on one sandbox, the damaged-record notice, the
// storage panel and the first-run notice. Run by scripts/test-console.sh.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleUrl, createKeyApi, keyRow, launchBrowser, openConsole, waitForKeyTable } from './helpers.mjs';

let browser;
let server;

before(async () => {
  server = await consoleUrl();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/// Records every CSP violation of the page in `window.__csp` (from before any script runs).
async function watchCsp(page) {
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile || ''}:${e.lineNumber || ''}`);
    });
  });
}

test('strict CSP: the console loads and works under default-src self with no violation', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/settings' });
  const { page } = t;
  await watchCsp(page);
  // A full load (a new query string), so the response and its header are this test's.
  const response = await page.goto(`${server.url}?csp=1#/keys`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'$/);
  await waitForKeyTable(page);
  // Works: a key made through the JS API shows in the table; encrypt and decrypt round-trip.
  const id = await createKeyApi(page, { alias: 'csp', description: 'under CSP' });
  const plain = await page.evaluate(async (id) => {
    const { CiphertextBlob } = await window.kms.send('Encrypt', { KeyId: id, Plaintext: new TextEncoder().encode('hi') });
    const { Plaintext } = await window.kms.send('Decrypt', { CiphertextBlob });
    return new TextDecoder().decode(Plaintext);
  }, id);
  assert.equal(plain, 'hi');
  await page.reload();
  await keyRow(page, id).waitFor();
  await t.shot('keys under CSP');
  // Other pages: the wizard's field errors (a CSS background image), settings, pricing.
  for (const route of ['/create', '/pricing', `/keys/${id}`, '/settings']) {
    await t.goto(route);
    await page.locator('h1').first().waitFor();
  }
  await page.getByTestId('storage-info').waitFor();
  await t.shot('settings under CSP');
  const violations = await page.evaluate(() => window.__csp);
  assert.deepEqual(violations, [], 'CSP violations');
  await t.done();
});

test('two tabs: a key made in one shows in the other within a second, and in its own tab; the settings page shows storage', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  // The first-run notice says what the HSM does not protect, and can be dismissed for good.
  const notice = page.getByTestId('origin-notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), /protects nothing from this site's own scripts/);
  await t.shot('first-run notice');
  await page.getByRole('button', { name: 'Dismiss the sandbox notice' }).click();
  await notice.waitFor({ state: 'detached' });

  const other = await t.context.newPage();
  await other.goto(`${server.url}#/keys`);
  await waitForKeyTable(other);
  assert.equal(await other.getByTestId('origin-notice').count(), 0, 'dismissed in every tab');
  const id = await createKeyApi(other, { description: 'made in the other tab' });
  const started = Date.now();
  await keyRow(page, id).waitFor({ timeout: 3000 });
  const took = Date.now() - started;
  assert.ok(took < 1500, `the first tab showed the key after ${took} ms`);
  await t.shot('key from the other tab');
  // And the other way round, on a key's page: a description changed in the first tab.
  await other.goto(`${server.url}#/keys/${id}`);
  await other.getByTestId('key-title').waitFor();
  await page.evaluate((id) => window.kms.send('UpdateKeyDescription', { KeyId: id, Description: 'changed in tab one' }), id);
  await other.getByText('changed in tab one').first().waitFor({ timeout: 3000 });
  await other.close();

  // A live view in one tab: the key table follows a key made through window.kms in the same tab,
  // and the key's page follows a change made there, without a reload.
  const mine = await createKeyApi(page, { description: 'made through window.kms' });
  await keyRow(page, mine).waitFor({ timeout: 3000 });
  await t.goto(`/keys/${mine}`);
  await page.getByTestId('key-title').waitFor();
  await page.evaluate((id) => window.kms.send('UpdateKeyDescription', { KeyId: id, Description: 'changed in this tab' }), mine);
  await page.getByText('changed in this tab').first().waitFor({ timeout: 3000 });
  await t.shot('live view of a change made through window.kms');

  await t.goto('/settings');
  await page.getByTestId('storage-info').waitFor();
  assert.match(await page.getByTestId('storage-quota').textContent(), /\d/);
  await t.shot('storage');
  await t.done();
});

test('a damaged record: the keys page names it, and the rest of the sandbox works', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  const good = await createKeyApi(page, { alias: 'good' });
  const bad = await createKeyApi(page, { alias: 'bad' });
  // Flip one bit of the bad key's wrapped material, from outside the sandbox.
  await page.evaluate(async (bad) => {
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('kms-sandbox'));
    for (const name of names) {
      const db = await new Promise((ok, fail) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const tx = db.transaction('records', 'readwrite');
      const store = tx.objectStore('records');
      const keys = await new Promise((ok) => { const r = store.getAllKeys(); r.onsuccess = () => ok(r.result); });
      for (const k of keys.filter((k) => k.startsWith('key/') && k.endsWith(bad))) {
        const value = await new Promise((ok) => { const r = store.get(k); r.onsuccess = () => ok(r.result); });
        value.material[0].ciphertext[0] ^= 1;
        store.put(value, k);
      }
      await new Promise((ok) => { tx.oncomplete = ok; });
      db.close();
    }
  }, bad);
  await page.reload();
  await waitForKeyTable(page);
  const notice = page.getByTestId('damaged-notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), new RegExp(bad));
  assert.match(await notice.textContent(), /refused to unwrap/);
  await keyRow(page, good).waitFor();
  await t.shot('damaged notice');
  const described = await page.evaluate((good) => window.kms.send('DescribeKey', { KeyId: good }), good);
  assert.equal(described.KeyMetadata.KeyState, 'Enabled');
  await t.done();
});

test('a change and its event survive a reload made the moment the call answers', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  // The reload is started in the page as soon as the call answers: no time for a batch timer.
  const navigated = page.waitForEvent('framenavigated');
  await page.evaluate(async () => {
    const { KeyMetadata } = await window.kms.send('CreateKey', { Description: 'reloaded at once' });
    sessionStorage.setItem('reloaded-key', KeyMetadata.KeyId);
    location.reload();
  }).catch(() => {}); // the page may be gone before the evaluation reports back
  await navigated;
  await page.waitForFunction(() => window.kms, null, { timeout: 10000 });
  const id = await page.evaluate(() => sessionStorage.getItem('reloaded-key'));
  assert.match(id, /^[0-9a-f-]{36}$/);
  const found = await page.evaluate(async (id) => {
    const described = await window.kms.send('DescribeKey', { KeyId: id });
    const { Events } = await window.kms.service('cloudtrail').send('LookupEvents', {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: described.KeyMetadata.Arn }],
    });
    return Events.map((e) => e.EventName);
  }, id);
  assert.ok(found.includes('CreateKey'), `events of the key after the reload: ${found.join(', ')}`);
  await t.done();
});
