// End-to-end tests of backups in the console: export from the settings page and import under a
// new name (a wrong passphrase refused, an existing name replaced only when agreed), and a
// starting sandbox opened from `#/?seed=<relative URL>`. Run by scripts/test-console.sh.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, consoleUrl, createKeyApi, launchBrowser, openConsole, waitForKeyTable } from './helpers.mjs';

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

/// Encrypts `text` under `keyId` through the page's `window.kms`; the ciphertext as numbers.
function encrypt(page, keyId, text) {
  return page.evaluate(async ([keyId, text]) => {
    const { CiphertextBlob } = await window.kms.send('Encrypt', { KeyId: keyId, Plaintext: new TextEncoder().encode(text) });
    return Array.from(CiphertextBlob);
  }, [keyId, text]);
}

function decrypt(page, blob) {
  return page.evaluate(async (blob) => {
    const { Plaintext } = await window.kms.send('Decrypt', { CiphertextBlob: new Uint8Array(blob) });
    return new TextDecoder().decode(Plaintext);
  }, blob);
}

/// A full load of the console's `#/?seed=` link (a new query string: a hash change alone would
/// not load the page again).
async function openSeed(page, n) {
  await page.goto(`${server.url}?visit=${n}#/?seed=labs/workshop.kmssandbox`);
}

/// Waits until the console works on sandbox `name` (its `window.kms` too).
async function waitForSandbox(page, name) {
  await page.waitForFunction((name) => window.kms && window.kms.name === name, name);
}

test('backup: export from the settings page, import under a new name, refuse a wrong passphrase, ask before replacing', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  const id = await createKeyApi(page, { alias: 'backed-up', description: 'to be exported' });
  const blob = await encrypt(page, id, 'kept across the backup');

  await t.goto('/settings');
  await page.locator('#export-passphrase').fill('a long passphrase');
  await page.locator('#export-passphrase-again').fill('a long pass');
  await page.getByText('The passphrases do not match.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Export sandbox' }).isDisabled(), true);
  await page.locator('#export-passphrase-again').fill('a long passphrase');
  await t.shot('export form');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export sandbox' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'default.kmssandbox');
  const file = join(ARTIFACTS, 'default.kmssandbox');
  await download.saveAs(file);

  // A wrong passphrase: an error, no sandbox made.
  await page.locator('#import-file').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('#import-name').value === 'default');
  await page.locator('#import-name').fill('restored');
  await page.locator('#import-passphrase').fill('not it');
  await page.getByRole('button', { name: 'Import sandbox' }).click();
  await page.getByTestId('error-type').filter({ hasText: 'InvalidPassphraseException' }).waitFor();
  await t.shot('wrong passphrase');
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.ok(!names.some((n) => n.endsWith('restored')), `no database was made: ${names}`);

  // The right one: the console switches to the copy, where the old ciphertext decrypts.
  await page.locator('#import-passphrase').fill('a long passphrase');
  await page.getByRole('button', { name: 'Import sandbox' }).click();
  await page.getByText('Imported sandbox "restored" and switched to it.').waitFor();
  await waitForSandbox(page, 'restored');
  await page.getByTestId('current-sandbox').filter({ hasText: 'restored' }).waitFor();
  assert.equal(await decrypt(page, blob), 'kept across the backup');
  const described = await page.evaluate(async () => (await window.kms.send('DescribeKey', { KeyId: 'alias/backed-up' })).KeyMetadata.Description);
  assert.equal(described, 'to be exported');
  await t.shot('imported');

  // Importing under an existing name asks first, naming the sandbox it would replace.
  await page.locator('#import-file').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('#import-name').value === 'default');
  await page.locator('#import-passphrase').fill('a long passphrase');
  await page.getByRole('button', { name: 'Import sandbox' }).click();
  await page.getByRole('button', { name: 'Replace sandbox default' }).waitFor();
  await page.getByText('Sandbox "default" already exists').waitFor();
  await t.shot('asks before replacing');
  // Another name instead: no replacement.
  await page.locator('#import-name').fill('second copy');
  await page.getByRole('button', { name: 'Import sandbox' }).click();
  await waitForSandbox(page, 'second copy');
  assert.equal(await decrypt(page, blob), 'kept across the backup');
  await t.done();
});

test('seed: #/?seed=<relative URL> loads a starting sandbox after asking, and asks before replacing one', async (tt) => {
  // The instructor's browser makes the file (no passphrase: a published starting sandbox).
  const teacher = await openConsole(browser, server.url, `${tt.name} (instructor)`);
  await waitForKeyTable(teacher.page);
  const id = await createKeyApi(teacher.page, { alias: 'lab', description: 'starting key' });
  const blob = await encrypt(teacher.page, id, 'from the instructor');
  const file = await teacher.page.evaluate(async () => Array.from(await window.kms.export({ passphrase: '' })));
  await teacher.done();

  // A student's browser (its own IndexedDB), the file served next to the console.
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  let fetched = 0;
  await t.context.route('**/labs/workshop.kmssandbox', (route) => {
    fetched += 1;
    return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(file) });
  });
  await openSeed(page, 1);
  const dialog = page.getByRole('dialog', { name: 'Load a starting sandbox' });
  await dialog.waitFor();
  await dialog.getByTestId('seed-url').filter({ hasText: 'labs/workshop.kmssandbox' }).waitFor();
  assert.equal(await dialog.locator('#seed-name').inputValue(), 'workshop');
  await dialog.getByText(/bytes, encrypted/).waitFor();
  await t.shot('seed dialog');
  // Nothing happened before the student agreed.
  assert.equal(await page.evaluate(() => window.kms.name), 'default');
  await dialog.getByRole('button', { name: 'Load sandbox' }).click();
  await page.getByText('Imported sandbox "workshop" and switched to it.').waitFor();
  await waitForSandbox(page, 'workshop');
  assert.equal(await decrypt(page, blob), 'from the instructor');
  assert.ok(!page.url().includes('seed='), `the seed left the address: ${page.url()}`);
  assert.ok(fetched >= 1);

  // Opened again after the student made a key there: asks before replacing "workshop".
  const mine = await createKeyApi(page, { description: 'the student made this' });
  await openSeed(page, 2);
  await dialog.waitFor();
  await dialog.getByText(/bytes, encrypted/).waitFor();
  await dialog.getByRole('button', { name: 'Load sandbox' }).click();
  await dialog.getByRole('button', { name: 'Replace sandbox workshop' }).waitFor();
  await dialog.getByText('Sandbox "workshop" already exists in this browser').waitFor();
  await t.shot('seed asks before replacing');
  // Still there until the student agrees.
  await page.evaluate(async (id) => window.kms.send('DescribeKey', { KeyId: id }), mine);
  await dialog.getByRole('button', { name: 'Replace sandbox workshop' }).click();
  await page.getByText('Imported sandbox "workshop" and switched to it.').waitFor();
  await page.waitForFunction(async (id) => {
    try {
      await window.kms.send('DescribeKey', { KeyId: id });
      return false;
    } catch (e) {
      return e.name === 'NotFoundException';
    }
  }, mine);
  assert.equal(await decrypt(page, blob), 'from the instructor');

  // Cancel leaves everything as it is.
  await openSeed(page, 3);
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => window.kms.name), 'workshop');
  await t.done();
});
