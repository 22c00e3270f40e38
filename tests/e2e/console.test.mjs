// End-to-end tests of the KMS Sandbox console in headless Chromium (node:test + playwright-core).
// Run by scripts/test-console.sh against the release build served under a sub-path; by hand:
//   (cd tests/e2e && CONSOLE_URL=http://127.0.0.1:8080/ node --test console.test.mjs)
// Without CONSOLE_URL the tests serve <repo>/dist themselves. Screenshots of every page a test
// visits go to tests/artifacts/<test name>/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleUrl, createKeyWithWizard, keyRow, launchBrowser, openConsole, waitForKeyTable } from './helpers.mjs';

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

test('symmetric key: create it with the wizard, see it in the table, encrypt text and decrypt it back', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  await t.shot('customer managed keys empty');

  const keyId = await createKeyWithWizard(t, {
    alias: 'e2e-orders',
    description: 'Orders table data keys',
    tags: [['team', 'payments']],
    admins: ['KMSAdminRole'],
    users: ['AppServer'],
    shot: true,
  });
  await waitForKeyTable(page);
  const row = keyRow(page, keyId);
  await row.waitFor();
  assert.match(await row.textContent(), /e2e-orders/);
  assert.match(await row.textContent(), /Enabled/);
  assert.match(await row.textContent(), /SYMMETRIC_DEFAULT/);
  assert.match(await row.textContent(), /Encrypt and decrypt/);
  await t.shot('key table with the new key and success banner');

  // The key's page: general configuration and its key policy.
  await row.getByRole('link', { name: 'e2e-orders' }).click();
  await page.getByTestId('key-title').waitFor();
  assert.equal(await page.getByTestId('key-title').textContent(), 'e2e-orders');
  assert.match(await page.getByTestId('key-arn').textContent(), new RegExp(`^arn:aws:kms:[a-z0-9-]+:\\d{12}:key/${keyId}$`));
  await page.locator('[data-testid=key-policy]').waitFor();
  const policy = JSON.parse(await page.locator('[data-testid=key-policy]').textContent());
  const users = policy.Statement.find((s) => s.Sid === 'Allow use of the key');
  assert.match(JSON.stringify(users.Principal), /role\/AppServer/);
  await t.shot('key detail key policy');

  // Encrypt and decrypt page.
  await t.goto('/crypto');
  await page.locator('#crypto-key').waitFor();
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('#encrypt-plaintext').fill('Hello from the console e2e test');
  await page.getByRole('button', { name: 'Add context pair' }).first().click();
  await page.locator('[data-editor=context] input[name=context-key-0]').first().fill('purpose');
  await page.locator('[data-editor=context] input[name=context-value-0]').first().fill('e2e');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const out = page.locator('#ciphertext-output');
  await out.waitFor();
  const ciphertext = await out.inputValue();
  assert.ok(ciphertext.length > 100, 'a ciphertext blob in base64');
  assert.ok(Buffer.from(ciphertext, 'base64').length > 60);
  // The CLI panel shows the same request.
  await page.locator('.crypto-panel:not([hidden]) details.api-panel summary').click();
  assert.match(await page.locator('.crypto-panel:not([hidden]) details.api-panel pre').textContent(), /aws kms encrypt/);
  await t.shot('encrypt result with cli panel');

  await page.getByRole('button', { name: 'Decrypt this ciphertext' }).click();
  assert.equal(await page.locator('#decrypt-ciphertext').inputValue(), ciphertext);
  const decryptPanel = page.locator('.crypto-panel:not([hidden])');
  await decryptPanel.getByRole('button', { name: 'Add context pair' }).click();
  await decryptPanel.locator('input[name=context-key-0]').fill('purpose');
  await decryptPanel.locator('input[name=context-value-0]').fill('e2e');
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.locator('#plaintext-output').waitFor();
  assert.equal(await page.locator('#plaintext-output').inputValue(), 'Hello from the console e2e test');
  await t.shot('decrypt result');
  await t.done();
});
