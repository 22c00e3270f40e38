// End-to-end tests of the key specs, imported key material and multi-Region keys in the console:
// Ed25519 and ML-DSA keys made in the wizard sign on the Cryptography page, a multi-Region key
// gets a replica in another Region, a key for imported key material waits for its material and
// takes it from the Key material tab. Run by scripts/test-console.sh; by hand:
//   (cd tests/e2e && CONSOLE_URL=http://127.0.0.1:8080/ node --test specs.test.mjs)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, publicEncrypt, randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleUrl, createKeyApi, createKeyWithWizard, keyRow, launchBrowser, openConsole, openKey, waitForKeyTable } from './helpers.mjs';

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

async function signAndVerify(t, keyId, expectedAlgorithms, label) {
  const { page } = t;
  await t.goto('/crypto');
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('[data-tab=sign]').click();
  const options = await page.locator('#sign-algorithm option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, expectedAlgorithms);
  await page.locator('#sign-message').fill(`signed with ${label}`);
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  await page.getByTestId('sign-outcome').waitFor();
  assert.ok((await page.locator('#signature').inputValue()).length > 60);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByText('Signature is valid.').waitFor();
  await t.shot(`${label} signature valid`);
}

test('the wizard offers every key spec of the Region; Ed25519 and ML-DSA keys sign and verify', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  await page.getByRole('button', { name: 'Create key' }).first().click();
  await page.getByRole('heading', { name: 'Configure key' }).waitFor();
  await page.locator('input[name=key-type][value=Asymmetric]').check();
  const usages = await page.locator('input[name=key-usage]').evaluateAll((is) => is.map((i) => i.value));
  assert.deepEqual(usages, ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE']);
  assert.equal(await page.locator('input[name=key-usage]:disabled').count(), 0);
  await page.locator('input[name=key-usage][value=SIGN_VERIFY]').check();
  const specs = await page.locator('input[name=key-spec]').evaluateAll((is) => is.map((i) => i.value));
  assert.deepEqual(specs, ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521',
    'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87']);
  await t.shot('sign verify specs');
  await page.locator('input[name=key-usage][value=ENCAPSULATE_DECAPSULATE]').check();
  const kem = await page.locator('input[name=key-spec]').evaluateAll((is) => is.map((i) => i.value));
  assert.deepEqual(kem, ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024']);
  await t.shot('encapsulate specs');

  const ed = await createKeyWithWizard(t, { type: 'Asymmetric', usage: 'SIGN_VERIFY', spec: 'ECC_NIST_EDWARDS25519', alias: 'e2e-ed25519', shot: true });
  await signAndVerify(t, ed, ['ED25519_SHA_512', 'ED25519_PH_SHA_512'], 'Ed25519');
  const ml = await createKeyWithWizard(t, { type: 'Asymmetric', usage: 'SIGN_VERIFY', spec: 'ML_DSA_65', alias: 'e2e-mldsa' });
  await signAndVerify(t, ml, ['ML_DSA_SHAKE_256'], 'ML-DSA-65');
  await openKey(t, ml, 'crypto');
  assert.match(await page.getByTestId('crypto-config').textContent(), /ML_DSA_65/);
  await t.done();
});

test('the Cryptography page signs a digest, derives one shared secret from both sides, and encapsulates with ML-KEM', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  const signer = await createKeyApi(page, { spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY', alias: 'e2e-digest' });
  const alice = await createKeyApi(page, { spec: 'ECC_NIST_P256', usage: 'KEY_AGREEMENT', alias: 'e2e-alice' });
  const bob = await createKeyApi(page, { spec: 'ECC_NIST_P256', usage: 'KEY_AGREEMENT', alias: 'e2e-bob' });
  const kem = await createKeyApi(page, { spec: 'ML_KEM_768', usage: 'ENCAPSULATE_DECAPSULATE', alias: 'e2e-mlkem' });
  await t.goto('/crypto');

  // A SHA-256 digest computed here, signed as MessageType DIGEST.
  await page.locator('#crypto-key').selectOption(signer);
  await page.locator('[data-tab=sign]').click();
  const types = await page.locator('#sign-message-type option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(types, ['RAW', 'DIGEST']);
  await page.locator('#sign-message-type').selectOption('DIGEST');
  await page.locator('#sign-message').fill(createHash('sha256').update('a digest made elsewhere').digest('base64'));
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  await page.getByTestId('sign-outcome').waitFor();
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByText('Signature is valid.').waitFor();
  await t.shot('digest signed');

  // Alice with Bob's public key, then Bob with Alice's: the same secret.
  const derive = async (self, peer) => {
    await page.locator('#crypto-key').selectOption(self);
    await page.locator('[data-tab=agreement]').click();
    const before = await page.locator('#agreement-public-key').inputValue();
    await page.locator('#agreement-peer').selectOption(peer);
    await page.waitForFunction((b) => {
      const v = document.querySelector('#agreement-public-key').value;
      return v.length > 60 && v !== b;
    }, before);
    await page.getByRole('button', { name: 'Derive shared secret' }).click();
    await page.getByTestId('agreement-outcome').waitFor();
    return page.locator('#agreement-secret').inputValue();
  };
  const fromAlice = await derive(alice, bob);
  await t.shot('shared secret derived');
  const fromBob = await derive(bob, alice);
  assert.equal(Buffer.from(fromAlice, 'base64').length, 32);
  assert.equal(fromAlice, fromBob, 'both sides derive the same secret');

  // ML-KEM: Encapsulate, then Decapsulate its ciphertext back to the same secret.
  await page.locator('#crypto-key').selectOption(kem);
  await page.locator('[data-tab=kem]').click();
  await page.getByRole('button', { name: 'Encapsulate', exact: true }).click();
  await page.getByTestId('kem-outcome').waitFor();
  assert.ok((await page.locator('#kem-ciphertext').inputValue()).length > 1000);
  await page.getByRole('button', { name: 'Decapsulate', exact: true }).click();
  await page.getByText('It is the secret Encapsulate made.').waitFor();
  await t.shot('ML-KEM decapsulated');
  await t.done();
});

test('a multi-Region key gets a replica in another Region, listed there', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyWithWizard(t, {
    alias: 'e2e-multi',
    shot: true,
    configure: async (page) => {
      await page.getByRole('button', { name: /Advanced options/ }).click();
      await page.locator('input[name=regionality][value=multi]').check();
    },
  });
  assert.match(keyId, /^mrk-/);
  await openKey(t, keyId, 'regionality');
  assert.match(await page.getByTestId('regionality-label').textContent(), /Multi-Region \(primary key\)/);
  await page.getByTestId('create-replica').waitFor();
  await page.locator('#replica-region').selectOption('eu-west-1');
  await page.locator('#replica-description').fill('replica in Dublin');
  await page.getByRole('button', { name: 'Create replica key' }).click();
  await page.locator('[data-testid=regionality] tbody tr', { hasText: 'eu-west-1' }).waitFor();
  assert.match(await page.getByTestId('regionality').textContent(), /Replica/);
  await t.shot('regionality tab with a replica');

  await page.getByTestId('region-select').selectOption('eu-west-1');
  await page.waitForFunction(() => document.querySelector('.sidenav-region')?.textContent === 'Europe (Ireland)');
  await t.goto('/keys');
  await waitForKeyTable(page);
  await keyRow(page, keyId).waitFor();
  await t.shot('the replica in eu-west-1');
  await openKey(t, keyId, 'regionality');
  assert.match(await page.getByTestId('regionality-label').textContent(), /replica key/);
  await t.shot('replica key regionality');
  await t.done();
});

test('a key for imported key material is pending import until its material is imported', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  const keyId = await createKeyWithWizard(t, {
    alias: 'e2e-external',
    shot: true,
    configure: async (page) => {
      await page.getByRole('button', { name: /Advanced options/ }).click();
      await page.locator('input[name=origin][value=EXTERNAL]').check();
      // Next without the acknowledgement stays on step 1.
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Acknowledge the implications').waitFor();
      await page.getByLabel(/I understand the security, availability/).check();
    },
  });
  await waitForKeyTable(page);
  assert.match(await keyRow(page, keyId).textContent(), /Pending import/);
  await openKey(t, keyId, 'key-material');
  assert.equal(await page.getByTestId('key-material-state').textContent(), 'Pending import');
  await page.getByRole('button', { name: 'Import key material' }).first().click();
  await page.getByTestId('import-panel').waitFor();
  await t.shot('import panel');

  // Download the wrapping public key and the import token, wrap 32 bytes with RSA-OAEP SHA-256
  // in Node, upload both files.
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByRole('button', { name: 'Download wrapping public key and import token' }).click();
  await page.waitForFunction(() => document.body.textContent.includes('Downloaded WrappingPublicKey.bin'));
  for (let i = 0; i < 50 && downloads.length < 2; i++) await page.waitForTimeout(100);
  const byName = Object.fromEntries(await Promise.all(downloads.map(async (d) => [d.suggestedFilename(), await readFile(await d.path())])));
  assert.deepEqual(Object.keys(byName).sort(), ['ImportToken.bin', 'WrappingPublicKey.bin']);
  const wrapped = publicEncrypt(
    { key: byName['WrappingPublicKey.bin'], format: 'der', type: 'spki', padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    randomBytes(32),
  );
  const dir = await mkdtemp(join(tmpdir(), 'kms-import-'));
  await writeFile(join(dir, 'EncryptedKeyMaterial.bin'), wrapped);
  await writeFile(join(dir, 'ImportToken.bin'), byName['ImportToken.bin']);
  await page.locator('#material-file').setInputFiles(join(dir, 'EncryptedKeyMaterial.bin'));
  await page.locator('#token-file').setInputFiles(join(dir, 'ImportToken.bin'));
  await page.locator('[data-testid=import-panel] button.btn-primary:not([disabled])').waitFor();
  await t.shot('import panel with files');
  await page.locator('[data-testid=import-panel] button.btn-primary').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=key-material-state]')?.textContent === 'Imported');
  await t.shot('key material imported');
  // Deleting the material makes the key pending import again.
  await page.getByRole('button', { name: 'Delete key material' }).first().click();
  await page.getByTestId('delete-key-material').getByRole('button', { name: 'Delete key material' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=key-material-state]')?.textContent === 'Pending import');
  await t.shot('key material deleted');
  await t.done();
});
