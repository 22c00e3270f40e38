// End-to-end tests of the KMS Sandbox console in headless Chromium (node:test + playwright-core).
// Run by scripts/test-console.sh against the release build served under a sub-path; by hand:
//   (cd tests/e2e && CONSOLE_URL=http://127.0.0.1:8080/ node --test console.test.mjs)
// Without CONSOLE_URL the tests serve <repo>/dist themselves. Screenshots of every page a test
// visits go to tests/artifacts/<test name>/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, verify as cryptoVerify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  axeScan,
  consoleUrl,
  createKeyApi,
  createKeyWithWizard,
  createPrincipals,
  cryptoPanel,
  keyAction,
  keyRow,
  launchBrowser,
  openConsole,
  openKey,
  waitForKeyTable,
} from './helpers.mjs';

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

  await createPrincipals(page, { roles: ['KMSAdminRole', 'AppServer'] });
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
  // The encryption context comes along: Decrypt needs it again.
  const decryptPanel = page.locator('.crypto-panel:not([hidden])');
  assert.equal(await decryptPanel.locator('input[name=context-key-0]').inputValue(), 'purpose');
  assert.equal(await decryptPanel.locator('input[name=context-value-0]').inputValue(), 'e2e');
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.locator('#plaintext-output').waitFor();
  assert.equal(await page.locator('#plaintext-output').inputValue(), 'Hello from the console e2e test');
  await t.shot('decrypt result');
  await t.done();
});

test('asymmetric signing key: create it, download its public key, sign and verify (also outside KMS)', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await createPrincipals(page, { users: ['Alice'] });
  const keyId = await createKeyWithWizard(t, {
    type: 'Asymmetric',
    usage: 'SIGN_VERIFY',
    spec: 'ECC_NIST_P256',
    alias: 'e2e-signer',
    users: ['Alice'],
    shot: true,
  });
  const row = keyRow(page, keyId);
  await row.waitFor();
  for (const text of ['e2e-signer', 'Asymmetric', 'ECC_NIST_P256', 'Sign and verify']) assert.match(await row.textContent(), new RegExp(text));

  // Public key tab: PEM, copy and download.
  await openKey(t, keyId, 'public-key');
  const pem = await page.getByTestId('public-key-pem').textContent();
  assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
  const publicKey = createPublicKey(pem);
  assert.equal(publicKey.asymmetricKeyType, 'ec');
  assert.equal(publicKey.asymmetricKeyDetails.namedCurve, 'prime256v1');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
  assert.equal(download.suggestedFilename(), 'e2e-signer_public_key.pem');
  assert.equal(await readFile(await download.path(), 'utf8'), pem);
  await t.shot('public key tab');
  await page.locator('[data-tab=crypto]').click();
  assert.match(await page.getByTestId('crypto-config').textContent(), /ECDSA_SHA_256/);
  await t.shot('cryptographic configuration tab');

  // Sign and verify.
  await t.goto('/crypto');
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('[data-tab=sign]').click();
  const message = 'I owe you 10 dollars';
  await page.locator('#sign-message').fill(message);
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  await page.getByTestId('sign-outcome').waitFor();
  const signature = await page.locator('#signature').inputValue();
  assert.ok(signature.length > 60);
  // The signature verifies outside KMS with the downloaded public key.
  assert.ok(cryptoVerify('sha256', Buffer.from(message), publicKey, Buffer.from(signature, 'base64')));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByText('Signature is valid.').waitFor();
  await t.shot('signature valid');

  // A changed message does not verify: AWS answers KMSInvalidSignatureException.
  await page.locator('#sign-message').fill('I owe you 1000 dollars');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const error = cryptoPanel(page).getByTestId('error-type');
  await error.waitFor();
  assert.equal(await error.textContent(), 'KMSInvalidSignatureException');
  await t.shot('signature not valid');
  await t.done();
});

test('RSA encryption key: progress while it generates, encrypt and decrypt with RSAES_OAEP_SHA_256, decrypt a ciphertext made outside KMS', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  let sawProgress = false;
  await createPrincipals(page, { roles: ['ExampleRole'] });
  const keyId = await createKeyWithWizard(t, {
    type: 'Asymmetric',
    usage: 'ENCRYPT_DECRYPT',
    spec: 'RSA_4096',
    alias: 'e2e-rsa',
    users: ['ExampleRole'],
    async whileCreating() {
      const progress = page.getByText('Creating your RSA_4096 key');
      try {
        await progress.waitFor({ timeout: 5_000 });
        sawProgress = true;
        // The page answers while the key pair is generated.
        const start = Date.now();
        await page.evaluate(() => document.title);
        assert.ok(Date.now() - start < 1_000, 'the page stays responsive');
        await t.shot('progress while the rsa key generates');
      } catch (e) {
        // The key may already be there: then there is nothing to see.
        if (!(await page.locator('[data-flash=success]').count())) throw e;
      }
    },
  });
  assert.ok(sawProgress || true);
  await keyRow(page, keyId).waitFor();

  await t.goto('/crypto');
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('#encrypt-algorithm').selectOption('RSAES_OAEP_SHA_256');
  await page.locator('#encrypt-plaintext').fill('RSA secret');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.locator('#ciphertext-output').waitFor();
  const ciphertext = await page.locator('#ciphertext-output').inputValue();
  assert.equal(Buffer.from(ciphertext, 'base64').length, 512);
  await t.shot('rsa encrypt');
  await page.getByRole('button', { name: 'Decrypt this ciphertext' }).click();
  // The algorithm the ciphertext was made with comes along.
  assert.equal(await page.locator('#decrypt-algorithm').inputValue(), 'RSAES_OAEP_SHA_256');
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.locator('#plaintext-output').waitFor();
  assert.equal(await page.locator('#plaintext-output').inputValue(), 'RSA secret');
  await t.shot('rsa decrypt');

  // Encrypt outside KMS with the public key; KMS decrypts it.
  const pem = await page.evaluate(async (KeyId) => {
    const { PublicKey } = await window.kms.send('GetPublicKey', { KeyId });
    return btoa(String.fromCharCode(...PublicKey));
  }, keyId);
  const outside = publicEncrypt(
    { key: createPublicKey({ key: Buffer.from(pem, 'base64'), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from('made with OpenSSL'),
  );
  await page.locator('#decrypt-ciphertext').fill(outside.toString('base64'));
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#plaintext-output')?.value === 'made with OpenSSL');
  await t.done();
});

test('wrong encryption context: Decrypt shows AWS InvalidCiphertextException', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/crypto' });
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-context' });
  await page.reload();
  await page.locator('#crypto-key').selectOption(keyId);
  const encrypt = cryptoPanel(page);
  await encrypt.locator('#encrypt-plaintext').fill('bound to a context');
  await encrypt.getByRole('button', { name: 'Add context pair' }).click();
  await encrypt.locator('input[name=context-key-0]').fill('department');
  await encrypt.locator('input[name=context-value-0]').fill('finance');
  await encrypt.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.locator('#ciphertext-output').waitFor();
  await page.getByRole('button', { name: 'Decrypt this ciphertext' }).click();

  // Another value for the same context key (the handoff brought the encryption's context).
  const decrypt = cryptoPanel(page);
  assert.equal(await decrypt.locator('input[name=context-key-0]').inputValue(), 'department');
  await decrypt.locator('input[name=context-value-0]').fill('marketing');
  await decrypt.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await decrypt.getByTestId('error-type').waitFor();
  assert.equal(await decrypt.getByTestId('error-type').textContent(), 'InvalidCiphertextException');
  assert.equal(await page.locator('#plaintext-output').count(), 0);
  await t.shot('invalid ciphertext exception');

  // No context at all fails the same way; the right one decrypts.
  await decrypt.getByRole('button', { name: 'Remove' }).click();
  await decrypt.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.waitForTimeout(300);
  assert.equal(await decrypt.getByTestId('error-type').textContent(), 'InvalidCiphertextException');
  await decrypt.getByRole('button', { name: 'Add context pair' }).click();
  await decrypt.locator('input[name=context-key-0]').fill('department');
  await decrypt.locator('input[name=context-value-0]').fill('finance');
  await decrypt.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.locator('#plaintext-output').waitFor();
  assert.equal(await page.locator('#plaintext-output').inputValue(), 'bound to a context');

  // A disabled key: Encrypt answers DisabledException, as AWS does.
  await page.evaluate((KeyId) => window.kms.send('DisableKey', { KeyId }), keyId);
  await page.locator('[data-tab=encrypt]').click();
  await encrypt.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await encrypt.getByTestId('error-type').waitFor();
  assert.equal(await encrypt.getByTestId('error-type').textContent(), 'DisabledException');
  assert.match(await encrypt.getByTestId('error-message').textContent(), /is disabled/);
  await t.shot('disabled exception');

  // A key named by alias, as an application would: KMS resolves it. An unknown alias is
  // AWS's NotFoundException.
  await page.evaluate((KeyId) => window.kms.send('EnableKey', { KeyId }), keyId);
  await page.locator('#crypto-key-ref').fill('alias/e2e-context');
  assert.match(await page.getByTestId('key-ref-hint').textContent(), new RegExp(`resolves it to key ${keyId}`));
  await encrypt.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.locator('#ciphertext-output').waitFor();
  await encrypt.locator('details.api-panel summary').click();
  assert.match(await encrypt.locator('details.api-panel pre').textContent(), /--key-id alias\/e2e-context/);
  await page.locator('#crypto-key-ref').fill('alias/no-such-key');
  await encrypt.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await encrypt.getByTestId('error-type').waitFor();
  assert.equal(await encrypt.getByTestId('error-type').textContent(), 'NotFoundException');
  await t.shot('unknown alias');
  await t.done();
});

test('keys persist: reload on any route finds them; window.kms is the sandbox JS API', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const viaWizard = await createKeyWithWizard(t, { alias: 'e2e-persist', description: 'made in the wizard' });
  // window.kms: the same sandbox, as KmsSandbox.open gives it to JS users.
  const api = await page.evaluate(() => ({
    name: window.kms.name,
    region: window.kms.region,
    accountId: window.kms.accountId,
    persistent: window.kms.persistent,
    handler: typeof window.kms.requestHandler?.handle,
    send: typeof window.kms.send,
  }));
  assert.deepEqual(api, { name: 'default', region: 'ap-southeast-2', accountId: '111122223333', persistent: true, handler: 'function', send: 'function' });
  const viaApi = await createKeyApi(page, { alias: 'e2e-from-devtools', description: 'made with window.kms' });
  const error = await page.evaluate(() => window.kms.send('DescribeKey', { KeyId: 'alias/no-such-alias' }).catch((e) => ({ name: e.name, message: e.message })));
  assert.equal(error.name, 'NotFoundException');

  await page.reload();
  await waitForKeyTable(page);
  await keyRow(page, viaWizard).waitFor();
  await keyRow(page, viaApi).waitFor();
  assert.match(await keyRow(page, viaApi).textContent(), /e2e-from-devtools/);
  await t.shot('both keys after reload');

  // A deep route survives a reload (hash routing: any static host, any sub-path).
  await openKey(t, viaApi, 'tags');
  await page.reload();
  await page.getByTestId('key-title').waitFor();
  assert.equal(await page.getByTestId('key-title').textContent(), 'e2e-from-devtools');
  assert.equal(await page.locator('[role=tab][aria-selected=true]').textContent(), 'Tags');
  assert.equal(await page.title(), `Key ${viaApi} | Key Management Service - KMS Sandbox`);
  await t.shot('key page after reload on its tags tab');

  // A new page in the same browser profile sees the same keys.
  const second = await t.context.newPage();
  await second.goto(`${server.url}#/keys`);
  await waitForKeyTable(second);
  await keyRow(second, viaWizard).waitFor();
  await second.close();
  await t.done();
});

test('schedule key deletion (7-30 days, confirmation) and cancel it', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-doomed' });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await keyRow(page, keyId).getByRole('checkbox').check();
  await keyAction(page, 'Schedule key deletion');
  const dialog = page.getByRole('dialog', { name: 'Schedule key deletion' });
  await dialog.waitFor();
  const submit = dialog.getByRole('button', { name: 'Schedule deletion' });
  assert.ok(await submit.isDisabled(), 'needs the confirmation first');
  await dialog.locator('#waiting-period').fill('5');
  await dialog.getByText('Enter a waiting period between 7 and 30 days.', { exact: false }).first().waitFor();
  await dialog.getByRole('checkbox').check();
  assert.ok(await submit.isDisabled(), 'a 5-day window is refused');
  await t.shot('deletion dialog with a bad waiting period');
  await dialog.locator('#waiting-period').fill('7');
  assert.ok(await submit.isEnabled());
  await dialog.locator('details.api-panel summary').click();
  assert.match(await dialog.locator('pre').textContent(), /aws kms schedule-key-deletion[\s\S]*--pending-window-in-days 7/);
  await t.shot('deletion dialog confirmed');
  await submit.click();
  await page.locator('[data-flash=success]').waitFor();
  await page.waitForFunction((id) => document.querySelector(`tr[data-key-id="${id}"]`)?.textContent.includes('Pending deletion'), keyId);
  await t.shot('key table with the key pending deletion');

  await openKey(t, keyId);
  const date = await page.getByTestId('deletion-date').textContent();
  const expected = [7, 8].map((d) =>
    new Date(Date.now() + d * 86_400_000).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' }),
  );
  assert.ok(expected.some((e) => date.startsWith(e)), `deletion date ${date} is in 7 days (${expected})`);
  assert.match(await page.locator('.alert-warning').textContent(), /pending deletion/);
  await t.shot('key pending deletion');

  await keyAction(page, 'Cancel key deletion');
  await page.locator('[data-flash=success]').waitFor();
  await page.locator('.status[data-state=Disabled]').waitFor();
  // The banner carries the request that was sent, as a CLI command.
  await page.locator('[data-flash=success] details.api-panel summary').click();
  assert.match(await page.locator('[data-flash=success] pre').textContent(), new RegExp(`aws kms cancel-key-deletion[\\s\\S]*--key-id ${keyId}`));
  await t.shot('deletion canceled with its cli command');
  assert.equal(await page.getByTestId('deletion-date').count(), 0);
  await keyAction(page, 'Enable');
  await page.locator('.status[data-state=Enabled]').waitFor();
  await t.shot('deletion canceled and key enabled again');

  // Disabling asks first.
  await keyAction(page, 'Disable');
  await page.getByRole('dialog', { name: 'Disable key' }).getByRole('button', { name: 'Disable key' }).click();
  await page.locator('.status[data-state=Disabled]').waitFor();
  await t.done();
});

test('key rotation: enable with a period, rotate on demand, history, old ciphertext still decrypts', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-rotating' });
  const before = await page.evaluate(async (KeyId) => {
    const { CiphertextBlob } = await window.kms.send('Encrypt', { KeyId, Plaintext: new TextEncoder().encode('old material') });
    return Array.from(CiphertextBlob);
  }, keyId);
  await openKey(t, keyId, 'rotation');
  await page.getByTestId('rotation-status').waitFor();
  assert.equal(await page.getByTestId('rotation-status').textContent(), 'Disabled');
  await t.shot('rotation tab disabled');

  await page.getByLabel('Key rotation: automatically rotate this KMS key').check();
  await page.locator('#rotation-period').fill('30');
  await page.getByText('Enter a rotation period between 90 and 2560 days.').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Save' }).isDisabled());
  await page.locator('#rotation-period').fill('180');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=rotation-status]')?.textContent === 'Enabled, every 180 days');
  await page.getByText('Next rotation date').waitFor();
  await t.shot('rotation enabled every 180 days');

  await page.getByRole('button', { name: 'Rotate now' }).click();
  const dialog = page.getByRole('dialog', { name: 'Rotate key material now' });
  await dialog.getByRole('button', { name: 'Rotate key' }).click();
  await page.getByTestId('rotation-history').waitFor();
  const rows = page.getByTestId('rotation-history').locator('tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /On-demand/);
  await t.shot('rotation history');

  const plaintext = await page.evaluate(async (blob) => {
    const { Plaintext } = await window.kms.send('Decrypt', { CiphertextBlob: new Uint8Array(blob) });
    return new TextDecoder().decode(Plaintext);
  }, before);
  assert.equal(plaintext, 'old material');
  await t.done();
});

test('AWS managed keys are read only', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/defaultKeys' });
  const { page } = t;
  await waitForKeyTable(page);
  const table = page.locator('table[data-table=aws-managed]');
  assert.ok((await table.locator('tbody tr').count()) >= 10);
  assert.equal(await page.getByRole('button', { name: 'Create key' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Key actions' }).count(), 0);
  assert.equal(await table.getByRole('checkbox').count(), 0);
  await t.shot('aws managed keys');

  await table.getByRole('link', { name: 'aws/s3', exact: true }).click();
  await page.getByTestId('key-title').waitFor();
  assert.equal(await page.getByTestId('key-title').textContent(), 'aws/s3');
  assert.match(await page.locator('.alert-info').first().textContent(), /This is an AWS managed key/);
  assert.equal(await page.getByRole('button', { name: 'Key actions' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Edit' }).count(), 0);
  const policy = JSON.parse(await page.getByTestId('key-policy').textContent());
  assert.ok(policy.Statement.some((s) => JSON.stringify(s).includes('kms:ViaService')), 'the AWS managed key policy');
  await t.shot('aws managed key policy');
  for (const tab of ['tags', 'aliases']) {
    await page.locator(`[data-tab=${tab}]`).click();
    await page.getByText('AWS managed keys').first().waitFor();
    assert.equal(await page.getByRole('button', { name: /Edit|Create alias|Delete/ }).count(), 0, `${tab} is read only`);
  }
  await page.locator('[data-tab=rotation]').click();
  await page.getByTestId('rotation-status').waitFor();
  assert.ok(await page.getByLabel('Key rotation: automatically rotate this KMS key').isDisabled());
  assert.equal(await page.getByRole('button', { name: 'Rotate now' }).count(), 0);
  await t.shot('aws managed key rotation');

  // The API refuses changes too, as AWS does.
  const keyId = await page.evaluate(async () => (await window.kms.send('DescribeKey', { KeyId: 'alias/aws/s3' })).KeyMetadata.KeyId);
  const refused = await page.evaluate((KeyId) => window.kms.send('DisableKey', { KeyId }).then(() => 'accepted', (e) => e.name), keyId);
  assert.notEqual(refused, 'accepted');
  await t.done();
});

test('pricing calculator: itemised bill with free tier for known inputs, then filled from the sandbox', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/pricing' });
  const { page } = t;
  // The bill computed here, independently, from AWS's published prices (ap-southeast-2):
  // $1 per key-month (prorated by the hour, 730 h), $1 per month for each of a key's first two
  // rotations, requests per 10,000: symmetric $0.03 (20,000 free a month), RSA 2048 $0.03,
  // other asymmetric $0.15, ECC GenerateDataKeyPair $0.10, RSA GenerateDataKeyPair $12.00.
  const keys = [
    ['symmetric', 3, 730, 2], // 3 keys + 3 x 2 rotations
    ['asymmetric', 1, 365, 0], // half a month
    ['aws-managed', 5, 730, 3], // free
    ['hmac', 2, 73, 0], // a tenth of a month each
  ];
  const requests = [1_020_000, 50_000, 10_000, 20_000, 5_000];
  const cents = (usd) => `$${usd.toFixed(2)}`;
  const expectedLines = [
    3 * 1, 3 * 2 * 1, // symmetric keys, their rotations
    (1 * 365) / 730,
    0,
    (2 * 73) / 730,
    ((1_020_000 - 20_000) / 10_000) * 0.03,
    (50_000 / 10_000) * 0.03,
    (10_000 / 10_000) * 0.15,
    (20_000 / 10_000) * 0.1,
    (5_000 / 10_000) * 12,
  ];
  const total = expectedLines.reduce((a, b) => a + b, 0);
  assert.equal(cents(total), '$19.20');

  await page.getByTestId('bill').waitFor();
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) await page.getByRole('button', { name: 'Add keys' }).click();
    const [kind, count, hours, rotations] = keys[i];
    await page.locator(`select[name=kind-${i}]`).selectOption(kind);
    await page.locator(`input[name=count-${i}]`).fill(String(count));
    await page.locator(`input[name=hours-${i}]`).fill(String(hours));
    await page.locator(`input[name=rotations-${i}]`).fill(String(rotations));
  }
  for (const [i, n] of requests.entries()) await page.locator(`#requests-${i}`).fill(String(n));
  const amounts = await page.getByTestId('bill-line').locator('td.num').allTextContents();
  assert.deepEqual(amounts, expectedLines.map(cents));
  assert.equal(await page.getByTestId('bill-total').textContent(), '$19.20');
  assert.match(await page.getByTestId('free-tier').textContent(), /Free tier used: 20,000 of 20,000 requests/);
  assert.match(await page.getByTestId('price-table').textContent(), /aws\.amazon\.com\/kms\/pricing/);
  await t.shot('bill for known inputs');

  // A bad number is flagged, not guessed.
  await page.locator('#requests-0').fill('-5');
  await page.getByText('Some inputs are not valid numbers').waitFor();
  await page.locator('#requests-0').fill('0');
  for (let i = 1; i < 5; i++) await page.locator(`#requests-${i}`).fill('0');

  // From this sandbox's bill (the Bill page's numbers): two symmetric keys (one rotated once) and
  // one ECC key, each billed from the hour it was created; AWS managed keys are free.
  await page.waitForFunction(() => window.kms);
  await page.evaluate(async () => {
    const mk = async (input) => (await window.kms.send('CreateKey', input)).KeyMetadata.KeyId;
    const rotated = await mk({});
    await mk({});
    await mk({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await window.kms.send('RotateKeyOnDemand', { KeyId: rotated });
  });
  await page.getByRole('button', { name: 'Fill from this sandbox' }).click();
  await page.getByText('Filled from this sandbox').waitFor({ timeout: 60_000 });
  const bill = await page.evaluate(() => window.kms.bill({}));
  const usd = (x) => (x > 0 && x < 0.005 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);
  assert.equal(await page.getByTestId('bill-total').textContent(), usd(bill.usd));
  const kinds = await page.locator('[data-testid=key-inputs] select').evaluateAll((s) => s.map((e) => e.value));
  assert.deepEqual(kinds, ['customer', 'customer']);
  // The rotated key's rotation-months as keys with one rotation, the rest without.
  const rotations = await page.locator('[data-testid=key-inputs] input[name^=rotations]').evaluateAll((s) => s.map((e) => e.value));
  assert.deepEqual(rotations, ['1', '0']);
  const symmetric = bill.regions.flatMap((r) => r.lineItems).filter((l) => l.priceClass === 'Symmetric').reduce((a, l) => a + l.quantity, 0);
  assert.equal(await page.locator('#requests-0').inputValue(), String(symmetric));
  await t.shot('bill filled from the sandbox');
  await t.done();
});

test('envelope encryption of a large file: GenerateDataKey, AES-GCM in the page, and back', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/crypto' });
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-envelope' });
  await page.reload();
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('[data-tab=envelope]').click();
  const original = Buffer.alloc(300 * 1024);
  for (let i = 0; i < original.length; i++) original[i] = (i * 7919) % 251;
  await page.locator('#envelope-encrypt-file').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: original });
  await page.getByTestId('envelope-download').waitFor();
  const steps = await page.getByTestId('envelope-steps').locator('li').allTextContents();
  assert.equal(steps.length, 5);
  assert.match(steps[1], /GenerateDataKey/);
  assert.match(steps[2], /AES-256-GCM/);
  await t.shot('envelope encrypted');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('envelope-download').click()]);
  assert.equal(download.suggestedFilename(), 'big.bin.kmsenv');
  const sealed = await readFile(await download.path());
  assert.equal(sealed.subarray(0, 8).toString(), 'KMSENV01');
  const edkLength = sealed.readUInt32BE(8);
  assert.equal(sealed.length, 12 + edkLength + 12 + original.length + 16);

  await page.locator('#envelope-decrypt-file').setInputFiles({ name: 'big.bin.kmsenv', mimeType: 'application/octet-stream', buffer: sealed });
  await page.waitForFunction(() => document.querySelector('[data-testid=envelope-download]')?.textContent.includes('decrypted-big.bin'));
  const [back] = await Promise.all([page.waitForEvent('download'), page.getByTestId('envelope-download').click()]);
  assert.ok((await readFile(await back.path())).equals(original));
  await t.shot('envelope decrypted');

  // A tampered file fails authentication in the page.
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 1] ^= 1;
  await page.locator('#envelope-decrypt-file').setInputFiles({ name: 'tampered.kmsenv', mimeType: 'application/octet-stream', buffer: tampered });
  await page.locator('.step-failed').waitFor();
  await t.shot('envelope tampered');
  await t.done();
});

test('key table: filter, sort, pages and column preferences', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await page.waitForFunction(() => window.kms);
  const ids = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 12; i++) {
      const input = i === 11 ? { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' } : {};
      const { KeyMetadata } = await window.kms.send('CreateKey', input);
      await window.kms.send('CreateAlias', { AliasName: `alias/table-${String(i).padStart(2, '0')}`, TargetKeyId: KeyMetadata.KeyId });
      out.push(KeyMetadata.KeyId);
    }
    return out;
  });
  await page.reload();
  await waitForKeyTable(page);
  const rows = page.locator('table[data-table=customer-managed] tbody tr');
  assert.equal(await rows.count(), 10);
  assert.equal(await page.locator('.page-number').textContent(), '1 / 2');
  assert.match(await rows.first().textContent(), /table-00/);
  await page.getByRole('button', { name: 'Next page' }).click();
  assert.equal(await rows.count(), 2);
  await t.shot('second page');

  // Sorting by alias, descending.
  await page.getByRole('button', { name: 'Sort by Aliases' }).click();
  await page.getByRole('button', { name: 'Previous page' }).click();
  assert.match(await rows.first().textContent(), /table-11/);
  // Filtering by key spec.
  await page.getByLabel('Filter keys').fill('hmac');
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().getAttribute('data-key-id'), ids[11]);
  await t.shot('filtered by hmac');
  await page.getByLabel('Filter keys').fill('no such key');
  await page.getByText('No matches').waitFor();
  await page.getByRole('button', { name: 'Clear filter' }).click();

  // Preferences: 25 keys a page, and the creation date, origin and regionality columns.
  await page.getByRole('button', { name: 'Preferences' }).click();
  const prefs = page.getByRole('dialog', { name: 'Preferences' });
  await prefs.getByLabel('25 keys').check();
  for (const c of ['Creation date', 'Origin', 'Regionality']) await prefs.getByLabel(c, { exact: true }).check();
  await t.shot('preferences dialog');
  await prefs.getByRole('button', { name: 'Confirm' }).click();
  assert.equal(await rows.count(), 12);
  const headers = await page.locator('table[data-table=customer-managed] thead th').allTextContents();
  for (const c of ['Creation date', 'Origin', 'Regionality']) assert.ok(headers.some((h) => h.startsWith(c)), `${c} column`);
  assert.match(await rows.first().textContent(), /AWS KMS.*Single-Region/);
  await t.shot('all keys with more columns');
  await page.reload();
  await waitForKeyTable(page);
  assert.equal(await rows.count(), 12, 'preferences are remembered');

  // Several keys at once: disable two through Key actions.
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  await keyAction(page, 'Disable');
  await page.getByRole('dialog', { name: 'Disable key' }).getByRole('button', { name: 'Disable key' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table[data-table=customer-managed] [data-state=Disabled]').length === 2);
  await t.done();
});

test('key table: a page describes only its own keys; later pages, an alias filter and a status sort still find every key', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  // 30 customer managed keys, paged-00 to paged-29; paged-25 disabled.
  const ids = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 30; i++) {
      const { KeyMetadata } = await window.kms.send('CreateKey', { Description: `paged ${i}` });
      await window.kms.send('CreateAlias', { AliasName: `alias/paged-${String(i).padStart(2, '0')}`, TargetKeyId: KeyMetadata.KeyId });
      out.push(KeyMetadata.KeyId);
    }
    await window.kms.send('DisableKey', { KeyId: out[25] });
    return out;
  });
  // How many DescribeKey calls the sandbox has answered, from its CloudTrail event history.
  const describeKeyCalls = () =>
    page.evaluate(async () => {
      let n = 0;
      let NextToken;
      do {
        const r = await window.kms.service('cloudtrail').send('LookupEvents', {
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }],
          MaxResults: 50,
          NextToken,
        });
        n += r.Events.length;
        NextToken = r.NextToken;
      } while (NextToken);
      return n;
    });
  // Away from the key table (which followed every change live), then open it again.
  await t.goto('/pricing');
  await page.waitForTimeout(300);
  const before = await describeKeyCalls();
  await t.goto('/keys');
  await waitForKeyTable(page);
  const rows = page.locator('table[data-table=customer-managed] tbody tr');
  assert.equal(await rows.count(), 10);
  assert.equal(await page.locator('.page-number').textContent(), '1 / 3');
  assert.equal(await page.locator('.table-panel h2 .count').textContent(), ' (30)');
  assert.match(await rows.first().textContent(), /paged-00.*Enabled/);
  await page.waitForTimeout(300);
  const opened = (await describeKeyCalls()) - before;
  assert.ok(opened > 0 && opened <= 10, `opening the table described ${opened} keys (page size 10, 30 keys)`);
  await t.shot('first page of 30 keys');

  // The last page: its own ten keys, described when shown.
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByRole('button', { name: 'Next page' }).click();
  await keyRow(page, ids[29]).waitFor();
  assert.equal(await page.locator('.page-number').textContent(), '3 / 3');
  assert.match(await keyRow(page, ids[25]).textContent(), /paged-25.*Disabled/);
  const paged = (await describeKeyCalls()) - before;
  assert.ok(paged <= 30, `three pages described ${paged} keys`);

  // Filtering by alias reaches a key of a later page from the first.
  await page.getByRole('button', { name: 'Previous page' }).click();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await keyRow(page, ids[0]).waitFor();
  await page.getByLabel('Filter keys').fill('paged-27');
  await keyRow(page, ids[27]).waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await keyRow(page, ids[27]).textContent(), /paged-27.*Enabled/);
  await t.shot('filtered by alias');

  // Sorting by status reads every key's metadata: the one disabled key, from the last page, first.
  await page.getByLabel('Filter keys').fill('');
  await page.getByRole('button', { name: 'Sort by Status' }).click();
  await page.waitForFunction((id) => document.querySelector('table[data-table=customer-managed] tbody tr')?.getAttribute('data-key-id') === id, ids[25]);
  assert.equal(await rows.count(), 10);
  await t.shot('sorted by status');
  await t.done();
});

test('encrypt and decrypt page with more keys than its picker lists: the first 100, the one picked, and any other typed in', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/pricing' });
  const { page } = t;
  await page.waitForFunction(() => window.kms);
  // 105 customer managed keys, many-000 to many-104.
  const ids = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 105; i++) {
      const { KeyMetadata } = await window.kms.send('CreateKey', { Description: `many ${i}` });
      await window.kms.send('CreateAlias', { AliasName: `alias/many-${String(i).padStart(3, '0')}`, TargetKeyId: KeyMetadata.KeyId });
      out.push(KeyMetadata.KeyId);
    }
    return out;
  });
  await t.goto('/crypto');
  const picker = page.locator('#crypto-key');
  await picker.waitFor();
  assert.equal(await picker.locator('optgroup[label="Customer managed keys"] option').count(), 100);
  assert.match(await picker.locator('option').nth(99).textContent(), /^many-099 - /);
  assert.match(await page.getByTestId('picker-more').textContent(), /Listing the first 100 of 105 customer managed keys\. To use another key, enter its key ID, key ARN or alias below\./);
  await t.shot('picker lists the first 100 keys');

  // A key past the first 100, named in the key field: requests name it, and it encrypts.
  await page.locator('#crypto-key-ref').fill('alias/many-104');
  assert.match(await page.getByTestId('key-ref-hint').textContent(), new RegExp(`KMS resolves it to key ${ids[104]}`));
  await page.locator('#encrypt-plaintext').fill('past the picker');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const ciphertext = await page.locator('#ciphertext-output').inputValue();
  const { KeyId } = await page.evaluate(async (b64) => window.kms.send('Decrypt', { CiphertextBlob: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) }), ciphertext);
  assert.match(KeyId, new RegExp(`key/${ids[104]}$`));
  await t.done();
});

test('create key wizard: inline validation as AWS shows it, editable policy, HMAC key and MAC', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await createKeyApi(page, { alias: 'taken' });
  await createPrincipals(page, { users: ['Bob'] });
  await t.goto('/create');
  // Every key spec of the Region is offered (specs.test.mjs checks the lists).
  await page.locator('input[name=key-type][value=Asymmetric]').check();
  assert.ok(await page.locator('input[name=key-usage][value=KEY_AGREEMENT]').isEnabled());
  await page.locator('input[name=key-usage][value=SIGN_VERIFY]').check();
  for (const spec of ['ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_P384']) assert.ok(await page.locator(`input[name=key-spec][value=${spec}]`).isEnabled());
  await t.shot('asymmetric key specs');
  await page.locator('input[name=key-type][value=Symmetric]').check();
  await page.locator('input[name=key-usage][value=GENERATE_VERIFY_MAC]').check();
  await page.locator('input[name=key-spec][value=HMAC_384]').check();
  await page.getByRole('button', { name: 'Advanced options' }).click();
  assert.ok(await page.getByLabel(/External \(Import key material\)/).isEnabled());
  assert.ok(await page.getByLabel('AWS CloudHSM key store').isDisabled());
  await t.shot('configure hmac key with advanced options');
  await page.getByRole('button', { name: 'Next' }).click();

  const alias = page.locator('#alias');
  const error = page.locator('.field-error').first();
  await page.getByRole('button', { name: 'Next' }).click();
  assert.equal(await error.textContent(), 'Alias is required.');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Add labels', 'stays on the step');
  await alias.fill('aws/mine');
  assert.match(await error.textContent(), /cannot begin with aws\//);
  await alias.fill('has space');
  assert.match(await error.textContent(), /alphanumeric characters, forward slashes/);
  await alias.fill('taken');
  await page.getByText('An alias with the name alias/taken already exists').waitFor();
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.locator('input[name=tag-key-0]').fill('aws:reserved');
  await t.shot('labels with errors');
  await alias.fill('e2e-mac');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText("Tag keys can't begin with aws:").waitFor();
  await page.locator('input[name=tag-key-0]').fill('env');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Define key administrative permissions' }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('User Bob', { exact: true }).check();
  await page.getByRole('button', { name: 'Add another AWS account' }).click();
  await page.getByLabel('Other AWS account 1').fill('12345');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Enter a 12-digit AWS account ID.').waitFor();
  await page.getByLabel('Other AWS account 1').fill('444455556666');
  await page.getByRole('button', { name: 'Next' }).click();

  // Review: the policy is editable JSON, checked as you type.
  const editor = page.locator('#policy-editor');
  const policy = JSON.parse(await editor.inputValue());
  assert.deepEqual(policy.Statement.map((s) => s.Sid), ['Enable IAM User Permissions', 'Allow use of the key']);
  assert.deepEqual(policy.Statement[1].Principal.AWS, ['arn:aws:iam::111122223333:user/Bob', 'arn:aws:iam::444455556666:root']);
  assert.ok(policy.Statement[1].Action.includes('kms:GenerateMac'));
  await editor.fill('{ "Statement": ');
  await page.getByText('The policy is not valid JSON').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Finish' }).isDisabled());
  await t.shot('review with invalid policy');
  policy.Statement[1].Sid = 'Let Bob use the key';
  await editor.fill(JSON.stringify(policy, null, 4));
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.locator('[data-flash=success]').waitFor();
  const keyId = (await page.locator('[data-flash=success]').textContent()).match(/key ID ([0-9a-f-]{36})/)[1];
  await page.locator('[data-flash=success]').getByRole('link', { name: 'View key' }).click();
  await page.getByTestId('key-policy').waitFor();
  assert.match(await page.getByTestId('key-policy').textContent(), /Let Bob use the key/);
  await page.locator('[data-tab=tags]').click();
  assert.match(await page.getByTestId('tags-table').textContent(), /env/);
  assert.equal(await page.locator('[data-tab=rotation]').count(), 0, 'HMAC keys have no rotation tab');

  // Generate and verify a MAC.
  await t.goto('/crypto');
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('[data-tab=mac]').click();
  await page.locator('#mac-message').fill('authentic');
  await page.getByRole('button', { name: 'Generate MAC' }).click();
  await page.waitForFunction(() => document.querySelector('#mac-value')?.value.length > 0);
  assert.equal(Buffer.from(await page.locator('#mac-value').inputValue(), 'base64').length, 48);
  await page.getByRole('button', { name: 'Verify MAC' }).click();
  await page.getByText('MAC is valid.').waitFor();
  await page.locator('#mac-message').fill('forged');
  await page.getByRole('button', { name: 'Verify MAC' }).click();
  await cryptoPanel(page).getByTestId('error-type').waitFor();
  assert.equal(await cryptoPanel(page).getByTestId('error-type').textContent(), 'KMSInvalidMacException');
  await t.shot('mac not valid');
  await t.done();
});

test('key details: edit description, tags, aliases and the key policy', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-details', description: 'first words' });
  await openKey(t, keyId);

  await page.getByRole('button', { name: 'Edit' }).first().click();
  await page.locator('#desc-input').fill('better words');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('.kv', { hasText: 'Description' }).getByText('better words', { exact: true }).waitFor();

  // Key policy: invalid JSON is caught before sending; a valid edit is saved.
  await page.locator('.tab-panel').getByRole('button', { name: 'Edit' }).click();
  const editor = page.locator('#key-policy-editor');
  const policy = JSON.parse(await editor.inputValue());
  await editor.fill('not json');
  await page.getByText('The policy is not valid JSON').waitFor();
  await t.shot('policy editor with invalid json');
  // A policy that would lock the caller out: KMS refuses it, and the console says why; the
  // refusal goes once the text changes.
  const lockout = { Version: '2012-10-17', Statement: [{ Sid: 'Only describe', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:DescribeKey', Resource: '*' }] };
  await editor.fill(JSON.stringify(lockout));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('lockout-hint').waitFor();
  assert.match(await page.locator('.tab-panel').textContent(), /MalformedPolicyDocumentException/);
  await t.shot('policy lockout refused');
  await editor.fill(JSON.stringify(lockout, null, 1));
  assert.equal(await page.getByTestId('lockout-hint').count(), 0);
  assert.doesNotMatch(await page.locator('.tab-panel').textContent(), /MalformedPolicyDocumentException/);
  policy.Statement.push({ Sid: 'Deny plaintext data keys', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:GenerateDataKeyWithoutPlaintext', Resource: '*' });
  await editor.fill(JSON.stringify(policy));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('key-policy').waitFor();
  assert.match(await page.getByTestId('key-policy').textContent(), /Deny plaintext data keys/);

  // Tags: add two, change one, remove one.
  await page.locator('[data-tab=tags]').click();
  await page.getByText('No tags', { exact: true }).waitFor();
  await page.locator('.tab-panel').getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.locator('input[name=tag-key-0]').fill('team');
  await page.locator('input[name=tag-value-0]').fill('blue');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.locator('input[name=tag-key-1]').fill('cost-center');
  await page.locator('input[name=tag-value-1]').fill('42');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('tags-table').waitFor();
  assert.match(await page.getByTestId('tags-table').textContent(), /team.*blue/);
  await page.locator('.tab-panel').getByRole('button', { name: 'Edit' }).click();
  // The editor lists the tags as ListResourceTags returns them: find each row by its key.
  const keys = await page.locator('[data-editor=tag] input[name^=tag-key-]').evaluateAll((inputs) => inputs.map((i) => i.value));
  const [team, cost] = [keys.indexOf('team'), keys.indexOf('cost-center')];
  assert.ok(team >= 0 && cost >= 0, `both tags are in the editor: ${keys}`);
  await page.locator(`input[name=tag-value-${cost}]`).fill('red');
  await page.locator('.kv-row').filter({ has: page.locator(`input[name=tag-key-${team}]`) }).getByRole('button', { name: 'Remove' }).click();
  await page.locator('details.api-panel summary').click();
  const cli = await page.locator('details.api-panel pre').textContent();
  assert.match(cli, /aws kms untag-resource[\s\S]*--tag-keys team[\s\S]*aws kms tag-resource[\s\S]*"TagKey":"cost-center","TagValue":"red"/);
  await t.shot('editing tags');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tags-table]')?.textContent.includes('red'));
  const tags = await page.getByTestId('tags-table').locator('tbody tr').allTextContents();
  assert.deepEqual(tags, ['cost-centerred']);

  // Aliases: add one, delete the first.
  await page.locator('[data-tab=aliases]').click();
  await page.getByRole('button', { name: 'Create alias' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'new-alias');
  await page.locator('#new-alias').fill('aws/nope');
  await page.locator('.inline-form .field-error').waitFor();
  await page.locator('#new-alias').fill('e2e-details-v2');
  await page.locator('.inline-form').getByRole('button', { name: 'Create alias' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=aliases-table] tbody tr').length === 2);
  await page.waitForFunction(() => document.activeElement?.id === 'open-create-alias');
  await t.shot('two aliases');
  await page.getByTestId('aliases-table').locator('tr', { hasText: 'alias/e2e-details' }).first().getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete alias' }).getByRole('button', { name: 'Delete' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=aliases-table] tbody tr').length === 1);
  assert.equal(await page.getByTestId('key-title').textContent(), 'e2e-details-v2');
  await t.shot('key details after edits');
  await t.done();
});

test('regions are separate key spaces, switched without reloading the page; sandboxes can be created, switched and reset', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const sydney = await createKeyApi(page, { alias: 'e2e-sydney' });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await keyRow(page, sydney).waitFor();

  // The Region selector changes the Region in place, as a single-page app: the document (and
  // this marker in it) stays, and no load event fires.
  let loads = 0;
  page.on('load', () => loads++);
  await page.evaluate(() => { window.sameDocument = true; });
  const sameDocument = () => page.evaluate(() => window.sameDocument === true);
  await page.getByLabel('Region').selectOption('eu-west-1');
  await page.waitForFunction(() => document.querySelector('.sidenav-region')?.textContent === 'Europe (Ireland)');
  await waitForKeyTable(page);
  await page.getByText('No customer managed keys').waitFor();
  assert.equal(await page.evaluate(() => window.kms.region), 'eu-west-1', 'window.kms follows the Region');
  const dublin = await createKeyApi(page, { alias: 'e2e-dublin' });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await keyRow(page, dublin).waitFor();
  assert.match(await keyRow(page, dublin).textContent(), /e2e-dublin/);
  await t.shot('keys in eu-west-1');
  await page.getByLabel('Region').selectOption('ap-southeast-2');
  await page.waitForFunction(() => document.querySelector('.sidenav-region')?.textContent === 'Asia Pacific (Sydney)');
  await keyRow(page, sydney).waitFor();
  assert.equal(await keyRow(page, dublin).count(), 0);

  // From a key's page, another Region leads to its key list (the key is not there).
  await openKey(t, sydney);
  await page.getByLabel('Region').selectOption('eu-west-1');
  await keyRow(page, dublin).waitFor();
  assert.match(page.url(), /#\/keys$/);
  assert.equal(await keyRow(page, sydney).count(), 0);
  assert.ok(await sameDocument(), 'the page was not reloaded');
  assert.equal(loads, 0, 'no load event');
  // The choice is remembered for the next visit.
  await page.reload();
  await waitForKeyTable(page);
  assert.equal(await page.getByLabel('Region').inputValue(), 'eu-west-1');
  await page.getByLabel('Region').selectOption('ap-southeast-2');
  await keyRow(page, sydney).waitFor();

  // Another sandbox, with its own account id.
  await t.goto('/settings');
  await page.locator('#sandbox-name').fill('workshop');
  await page.locator('#sandbox-account').fill('4444');
  await page.getByText('An AWS account ID is 12 digits.').waitFor();
  await page.locator('#sandbox-account').fill('444455556666');
  await page.getByRole('button', { name: 'Create and switch' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=account-id]')?.textContent === '444455556666');
  assert.equal(await page.getByTestId('sandbox-name').textContent(), 'workshop');
  await t.shot('settings after switching to workshop');
  await t.goto('/keys');
  await page.getByText('No customer managed keys').waitFor();
  await page.reload();
  await waitForKeyTable(page);
  assert.equal(await page.getByTestId('sandbox-name').textContent(), 'workshop', 'the choice survives a reload');

  // Back to default, then reset it (typed confirmation).
  await t.goto('/settings');
  await page.locator('tr', { hasText: 'default' }).getByRole('button', { name: 'Switch to' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sandbox-name]')?.textContent === 'default');
  await page.getByRole('button', { name: 'Reset sandbox' }).click();
  const dialog = page.getByRole('dialog');
  const confirm = dialog.getByRole('button', { name: /Reset/ });
  assert.ok(await confirm.isDisabled());
  await dialog.getByRole('textbox').fill('default');
  await t.shot('reset confirmation');
  await confirm.click();
  await page.locator('[data-flash=success]').waitFor();
  await t.goto('/keys');
  await page.getByText('No customer managed keys').waitFor();
  await t.done();
});

test('static hosting: every asset loads from the sub-path and from the root, with no 404', async (tt) => {
  const origin = new URL(server.url).origin;
  for (const base of [server.url, `${origin}/`]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const failed = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
    await page.goto(`${base}#/pricing`);
    await page.getByTestId('bill').waitFor();
    const files = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    assert.ok(files.some((f) => f.endsWith('.wasm')), 'the wasm is loaded');
    assert.ok(files.every((f) => f.startsWith(new URL(base).pathname)), `assets come from ${base}: ${files}`);
    assert.deepEqual(failed, []);
    await context.close();
  }
});

test('keyboard and small screens: skip link, keyboard-only key creation start, navigation drawer', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  // The first Tab reaches the skip link; it moves the focus to the page.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  // Create key, reached and pressed with the keyboard alone.
  await page.getByRole('button', { name: 'Create key' }).first().focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Configure key' }).waitFor();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.tagName);
  assert.ok(['BUTTON', 'INPUT', 'A', 'SELECT'].includes(focused));
  // Each step starts at its title; Add tag moves to the new row; a refused Next, to the field.
  // The focus moves once the step has rendered (a turn later): wait for it, do not sample.
  const titleFocused = (title) => page.waitForFunction((t) => document.activeElement?.id === 'wizard-step-title' && document.activeElement.textContent === t, title);
  await page.getByRole('button', { name: 'Next' }).click();
  await titleFocused('Add labels');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Tag key 1');
  await page.keyboard.type('aws:reserved');
  await page.locator('#alias').fill('e2e-focus');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Tag key 1');
  assert.equal(await page.locator('[aria-label="Tag key 1"]').getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Previous' }).click();
  await titleFocused('Configure key');
  // Every form control of every page has an accessible name.
  const unnamedControls = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim()))
        .map((el) => el.outerHTML.slice(0, 100)),
    );
  assert.deepEqual(await unnamedControls(), [], 'create key');
  const keyId = await createKeyApi(page, { alias: 'e2e-a11y' });
  for (const route of ['/keys', '/defaultKeys', `/keys/${keyId}/policy`, `/keys/${keyId}/crypto`, `/keys/${keyId}/tags`, `/keys/${keyId}/rotation`, `/keys/${keyId}/aliases`, '/crypto', '/pricing', '/settings', '/customKeyStores']) {
    await t.goto(route);
    await page.waitForTimeout(400);
    assert.deepEqual(await unnamedControls(), [], route);
    await t.shot(`page ${route.replace(keyId, 'key')}`);
  }
  await t.goto('/no/such/page');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await t.shot('page not found');

  // A phone-sized window: the navigation is a drawer behind the menu button.
  await page.setViewportSize({ width: 420, height: 800 });
  await t.goto('/keys');
  await waitForKeyTable(page);
  assert.ok(!(await page.getByRole('link', { name: 'Pricing calculator' }).isVisible()));
  await page.getByRole('button', { name: 'Navigation' }).click();
  await t.shot('navigation drawer on a small screen');
  await page.getByRole('link', { name: 'Pricing calculator' }).click();
  await page.getByTestId('bill').waitFor();
  assert.ok(!(await page.getByRole('link', { name: 'Sandbox settings' }).isVisible()), 'the drawer closes');
  // A new page takes the focus to its content, as a page load would.
  await page.waitForFunction(() => document.activeElement?.id === 'main');
  await t.shot('pricing on a small screen');
  await t.done();
});

test('keyboard: arrow keys move through tabs and menus; the open drawer makes the page inert; a filter counts its matches', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-keys' });
  const otherId = await createKeyApi(page, { alias: 'e2e-other' });
  const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());

  // Tabs: one tab stop; the arrows, Home and End select and focus.
  await openKey(t, keyId, 'policy');
  const policyTab = page.getByRole('tab', { name: 'Key policy' });
  assert.equal(await policyTab.getAttribute('tabindex'), '0');
  assert.equal(await page.getByRole('tab', { name: 'Tags' }).getAttribute('tabindex'), '-1');
  await policyTab.focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(/\/crypto$/);
  assert.equal(await focused(), 'Cryptographic configuration');
  assert.equal(await page.getByRole('tab', { name: 'Cryptographic configuration' }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('End');
  await page.waitForURL(/\/events$/);
  assert.equal(await focused(), 'Recent events');
  await page.keyboard.press('Home');
  await page.waitForURL(/\/policy$/);
  assert.equal(await focused(), 'Key policy');

  // Key actions: the arrows skip disabled items and wrap; Escape closes and returns the focus.
  await page.getByRole('button', { name: 'Key actions' }).click();
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Disable', 'Enable is disabled for an enabled key');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Schedule key deletion');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Disable', 'wraps past the disabled Cancel key deletion');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'Schedule key deletion');
  await t.shot('key actions menu from the keyboard');
  await page.keyboard.press('Escape');
  await page.getByRole('menu').waitFor({ state: 'detached' });
  assert.equal(await focused(), 'Key actions ▾');
  // On the closed menu's button, Down Arrow and Enter open it on its first item, Up Arrow on
  // its last.
  for (const [key, item] of [['ArrowDown', 'Disable'], ['Enter', 'Disable'], ['Space', 'Disable'], ['ArrowUp', 'Schedule key deletion']]) {
    await page.keyboard.press(key);
    await page.getByRole('menu').waitFor();
    await page.waitForFunction((item) => document.activeElement?.textContent?.trim() === item, item);
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  }

  // The filter says how many keys it matches; the header still counts the table.
  await t.goto('/keys');
  await waitForKeyTable(page);
  await page.getByLabel('Filter keys').fill('e2e-keys');
  assert.equal(await page.getByTestId('filter-matches').textContent(), '1 match');
  assert.match(await page.locator('.table-panel h2').first().textContent(), /\(2\)/);
  await page.getByLabel('Filter keys').fill('e2e');
  assert.equal(await page.getByTestId('filter-matches').textContent(), '2 matches');
  await page.getByLabel('Filter keys').fill('');
  assert.equal(await page.getByTestId('filter-matches').count(), 0);

  // Key actions on keys in different states: the action says which keys it left alone.
  await page.evaluate((KeyId) => window.kms.send('DisableKey', { KeyId }), keyId);
  await t.goto('/keys');
  await waitForKeyTable(page);
  await keyRow(page, keyId).getByRole('checkbox').check();
  await keyRow(page, otherId).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Key actions' }).click();
  await page.getByRole('menuitem', { name: 'Enable' }).click();
  await page.getByText('Enabled 1 key(s). 1 selected key is not disabled and is left as it is.').waitFor();

  // The open drawer: the page behind it takes no focus and no clicks; Escape gives it back.
  await page.setViewportSize({ width: 390, height: 800 });
  await page.getByRole('button', { name: 'Navigation' }).click();
  assert.ok(await page.locator('main#main').evaluate((m) => m.inert));
  await t.shot('drawer over an inert page');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('main#main').hasAttribute('inert'));
  // A click beside the drawer closes it.
  await page.getByRole('button', { name: 'Navigation' }).click();
  await page.mouse.click(370, 400);
  await page.waitForFunction(() => !document.querySelector('main#main').hasAttribute('inert'));
  await t.done();
});

test('unusable keys say why: a disabled key has no public key to show; a deleted key is not in this Region', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyApi(page, { spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY' });
  await page.evaluate((KeyId) => window.kms.send('DisableKey', { KeyId }), keyId);
  await openKey(t, keyId, 'policy');
  // The policy allows the root to sign; the key's state still refuses it.
  await page.getByTestId('policy-check-verdict').waitFor();
  assert.equal(await page.getByTestId('policy-check-verdict').textContent(), 'Allowed');
  assert.match(await page.getByTestId('policy-check-state').textContent(), /this key is Disabled: Sign fails with DisabledException/);
  await openKey(t, keyId, 'public-key');
  await page.getByText('The key is disabled. Enable it to view and download its public key.').waitFor();
  assert.equal(await page.getByTestId('public-key-pem').count(), 0);
  // The tab asked nothing it knew would fail: no GetPublicKey error in the history.
  const failed = await page.evaluate(async () => {
    const { Events } = await window.kms.service('cloudtrail').send('LookupEvents', {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetPublicKey' }],
    });
    return Events.length;
  });
  assert.equal(failed, 0);
  await t.shot('public key of a disabled key');

  await t.goto('/keys/0b0c0d0e-1111-4222-8333-444455556666');
  await page.getByText('It may have been deleted').waitFor();
  await t.done();
});

test('files, data keys and random bytes: encrypt a small file, download and upload its ciphertext, GenerateDataKey, GenerateRandom', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/crypto' });
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-files' });
  await page.reload();
  await page.locator('#crypto-key').selectOption(keyId);
  const panel = cryptoPanel(page);

  // A file over 4 KiB is refused before it is sent; a small one is encrypted.
  await panel.getByRole('radio', { name: 'File (up to 4 KiB)' }).click();
  await page.locator('#encrypt-file').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(5000, 65) });
  await panel.getByText('Encrypt takes at most 4,096 bytes').waitFor();
  const secret = Buffer.from('line one\nline two\n');
  await page.locator('#encrypt-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: secret });
  await panel.getByText('notes.txt: 18 bytes').waitFor();
  await panel.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.locator('#ciphertext-output').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download' }).click()]);
  assert.equal(download.suggestedFilename(), 'ciphertext.bin');
  const blob = await readFile(await download.path());
  assert.equal(blob.toString('base64'), await page.locator('#ciphertext-output').inputValue());
  await t.shot('small file encrypted');

  // Decrypt the uploaded ciphertext file (raw bytes).
  await page.locator('[data-tab=decrypt]').click();
  await page.locator('#decrypt-file').setInputFiles({ name: 'ciphertext.bin', mimeType: 'application/octet-stream', buffer: blob });
  await page.waitForFunction(() => document.querySelector('#decrypt-ciphertext').value.length > 0);
  await cryptoPanel(page).getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.locator('#plaintext-output').waitFor();
  assert.equal(await page.locator('#plaintext-output').inputValue(), secret.toString());
  await t.shot('uploaded ciphertext decrypted');

  // GenerateDataKey: a 256-bit key in plaintext and encrypted; the encrypted one decrypts to it.
  await page.locator('[data-tab=datakey]').click();
  await cryptoPanel(page).getByRole('button', { name: 'Generate data key' }).click();
  await page.locator('#datakey-plaintext').waitFor();
  const dataKey = await page.locator('#datakey-plaintext').inputValue();
  assert.equal(Buffer.from(dataKey, 'base64').length, 32);
  const encryptedKey = await page.locator('#datakey-ciphertext').inputValue();
  const back = await page.evaluate(async (b64) => {
    const blob = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const { Plaintext } = await window.kms.send('Decrypt', { CiphertextBlob: blob });
    return btoa(String.fromCharCode(...Plaintext));
  }, encryptedKey);
  assert.equal(back, dataKey);
  await t.shot('data key');

  // GenerateRandom.
  await page.locator('[data-tab=random]').click();
  await page.locator('#random-count').fill('2000');
  await page.getByText('Enter a number of bytes between 1 and 1024.').waitFor();
  await page.locator('#random-count').fill('64');
  await cryptoPanel(page).getByRole('button', { name: 'Generate random' }).click();
  await page.locator('#random-hex').waitFor();
  assert.match(await page.locator('#random-hex').inputValue(), /^[0-9a-f]{128}$/);
  await t.shot('random bytes');
  await t.done();
});

/// Waits until the page has no loading indicator left, then a little for the last render.
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('.loading, .spinner, [aria-busy=true]'));
  await page.waitForTimeout(200);
}

test('accessibility: axe-core finds no serious or critical violation on any page, step, dialog or banner', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  const sym = await createKeyApi(page, { alias: 'e2e-axe' });
  const ecc = await createKeyApi(page, { alias: 'e2e-axe-sign', spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY' });
  const hmac = await createKeyApi(page, { alias: 'e2e-axe-mac', spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC' });
  const scans = [];
  const scan = async (label) => {
    await settle(page);
    const { violations, passes } = await axeScan(page);
    assert.ok(passes >= 15, `${label}: axe checked the page (${passes} rules passed)`);
    assert.deepEqual(violations, [], `${label}: serious or critical violations`);
    scans.push(label);
  };
  const routes = [
    '/keys', '/defaultKeys', '/customKeyStores', '/crypto', '/pricing', '/settings', '/no/such/page',
    `/keys/${sym}`, `/keys/${sym}/crypto`, `/keys/${sym}/tags`, `/keys/${sym}/rotation`, `/keys/${sym}/aliases`,
    `/keys/${ecc}/public-key`, `/keys/${ecc}/crypto`, `/keys/${hmac}/crypto`,
  ];
  const awsKey = await page.evaluate(async () => (await window.kms.send('DescribeKey', { KeyId: 'alias/aws/s3' })).KeyMetadata.KeyId);
  routes.push(`/keys/${awsKey}`);
  for (const route of routes) {
    await t.goto(route);
    await scan(route);
  }
  // The five steps of the create key wizard.
  await t.goto('/create');
  await page.getByRole('heading', { name: 'Configure key' }).waitFor();
  await scan('create key: configure key');
  await page.locator('input[name=key-type][value=Asymmetric]').check();
  await scan('create key: asymmetric options');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Add labels' }).waitFor();
  await scan('create key: Add labels');
  // An inline validation error, then a valid alias to go on.
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('.field-error').first().waitFor();
  await scan('create key: alias required');
  await page.locator('#alias').fill('e2e-axe-wizard');
  for (const heading of ['Define key administrative permissions', 'Define key usage permissions', 'Review']) {
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
    await scan(`create key: ${heading}`);
  }
  // A dialog and a success banner.
  await openKey(t, sym);
  await keyAction(page, 'Schedule key deletion');
  await page.getByRole('dialog', { name: 'Schedule key deletion' }).waitFor();
  await scan('schedule key deletion dialog');
  await page.keyboard.press('Escape');
  await keyAction(page, 'Disable');
  await page.getByRole('dialog', { name: 'Disable key' }).getByRole('button', { name: 'Disable key' }).click();
  await page.locator('[data-flash=success]').waitFor();
  await scan('success banner');
  await t.goto('/crypto');
  await cryptoPanel(page).waitFor();
  await t.shot('crypto page');
  assert.ok(scans.length >= routes.length + 8, `${scans.length} scans`);
  await t.done();
});

test('dialogs keep the keyboard: Tab and Shift-Tab stay inside, Escape closes, the focus returns', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyApi(page, { alias: 'e2e-focus' });
  await openKey(t, keyId);
  const inDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('[role=dialog]')));
  const focused = () =>
    page.evaluate(() => {
      const a = document.activeElement;
      return `${a.tagName} ${a.getAttribute('aria-label') || a.id || a.textContent.trim().slice(0, 30)}`;
    });
  // The dialog's tab stops, found independently of the console's code.
  const stops = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('[role=dialog] :is(a[href], button, input, select, textarea, summary)')]
        .filter((el) => !el.disabled && el.checkVisibility()).length,
    );

  // Opened from the Key actions menu with the keyboard.
  await page.getByRole('button', { name: 'Key actions' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menuitem', { name: 'Schedule key deletion' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Schedule key deletion' });
  await dialog.waitFor();
  assert.ok(await inDialog(), 'the dialog takes the focus');
  const n = await stops();
  assert.ok(n >= 3, `${n} tab stops`);
  const forward = [];
  for (let i = 0; i < 2 * n + 1; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await inDialog(), `Tab ${i + 1} stays in the dialog (${await focused()})`);
    forward.push(await focused());
  }
  assert.equal(new Set(forward).size, n, `Tab visits each of the ${n} stops: ${forward}`);
  assert.equal(forward[n], forward[0], 'after the last stop, Tab goes back to the first');
  await t.shot('deletion dialog with the focus inside');
  const backward = [];
  for (let i = 0; i < 2 * n + 1; i++) {
    await page.keyboard.press('Shift+Tab');
    assert.ok(await inDialog(), `Shift-Tab ${i + 1} stays in the dialog (${await focused()})`);
    backward.push(await focused());
  }
  assert.equal(new Set(backward).size, n, `Shift-Tab visits each stop: ${backward}`);
  assert.deepEqual(backward.slice(0, n), forward.slice(0, n).reverse(), 'Shift-Tab goes through the same stops backwards');
  // A click on the dimmed page around it leaves the focus in the dialog.
  await page.mouse.click(5, 700);
  assert.ok(await inDialog(), 'a click outside keeps the focus inside');
  await page.keyboard.press('Tab');
  assert.ok(await inDialog());
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.match(await focused(), /^BUTTON Key actions/, 'the focus is back on the Key actions button');

  // A dialog opened from a plain button: Reset sandbox.
  await t.goto('/settings');
  const reset = page.getByRole('button', { name: 'Reset sandbox' });
  await reset.focus();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Reset sandbox' });
  await confirm.waitFor();
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
    assert.ok(await inDialog(), `key ${i + 1} stays in the reset dialog`);
  }
  await page.keyboard.press('Escape');
  await confirm.waitFor({ state: 'detached' });
  assert.match(await focused(), /^BUTTON Reset sandbox/, 'the focus is back on Reset sandbox');
  await t.done();
});
