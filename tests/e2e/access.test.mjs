// End-to-end tests of the console's access control: "Acting as" in the header, AWS's access
// denials with "Why?", the IAM pages, the key page's policy check, and the wizard's key policy
// steps over the sandbox's real users and roles. Run by scripts/test-console.sh; by hand:
//   (cd tests/e2e && CONSOLE_URL=http://127.0.0.1:8080/ node --test access.test.mjs)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actAs,
  consoleUrl,
  createKeyApi,
  createPrincipals,
  cryptoPanel,
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

const denial = (account, who, action, resource, why) =>
  `User: arn:aws:iam::${account}:${who} is not authorized to perform: ${action} on resource: ${resource} because ${why}`;

test('access control: act as an IAM user, see the denial and its Why?, fix the IAM policy and the key policy, retry', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  await page.getByTestId('account-id').filter({ hasText: /^\d{12}$/ }).waitFor();
  const account = await page.getByTestId('account-id').textContent();
  const keyId = await createKeyApi(page, { alias: 'e2e-access' });
  const keyArn = `arn:aws:kms:ap-southeast-2:${account}:key/${keyId}`;

  // The account root creates the user alice on the IAM page.
  await t.goto('/iam');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.locator('#user-name').fill('alice');
  await page.getByRole('dialog').getByRole('button', { name: 'Create user' }).click();
  await page.locator('table[data-iam-table=users] tr[data-name=alice]').waitFor();
  await t.shot('iam users with alice');

  // The header's menu lists the root and every user and role; the keyboard lands on the
  // current choice, and Escape closes the menu.
  await page.getByTestId('caller').click();
  const menu = page.getByRole('menu', { name: 'Act as' });
  await menu.getByRole('menuitemradio', { name: /alice/ }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-principal')), 'root');
  await t.shot('acting as menu');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });

  // Acting as alice: every page calls as her, and so does window.kms.
  await actAs(page, 'alice');
  assert.equal(await page.evaluate(() => window.kms.principal), `arn:aws:iam::${account}:user/alice`);
  await t.goto('/keys');
  const message = page.getByTestId('error-message').first();
  await message.waitFor();
  assert.equal(
    await message.textContent(),
    denial(account, 'user/alice', 'kms:ListKeys', '*', 'no identity-based policy allows the kms:ListKeys action'),
  );
  await page.getByRole('button', { name: 'Why?' }).click();
  const why = page.getByTestId('why-panel');
  const listKeys = why.locator('[data-action="kms:ListKeys"]');
  await listKeys.waitFor();
  assert.equal(await listKeys.getAttribute('data-allowed'), 'false');
  assert.match(await listKeys.textContent(), /no identity-based policy allows the request/);
  await t.shot('key list denied with why');

  // Back to root: give alice an inline policy. IAM checks the document: a statement without a
  // Resource is refused with IAM's MalformedPolicyDocument.
  await actAs(page, 'root');
  await t.goto('/iam/users/alice');
  await page.getByTestId('iam-title').waitFor();
  await page.getByRole('button', { name: 'Add inline policy' }).click();
  await page.locator('#inline-policy-name').fill('kms-use');
  const editor = page.locator('#inline-policy-document');
  await editor.fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt"}');
  await page.getByText('The policy is not valid JSON').waitFor();
  await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt' }] }));
  await page.getByRole('button', { name: 'Save policy' }).click();
  const errorType = page.locator('[data-testid=inline-policy-editor] [data-testid=error-type]');
  await errorType.waitFor();
  assert.match(await errorType.textContent(), /MalformedPolicyDocument/);
  await t.shot('inline policy refused by iam');
  await editor.fill(JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'UseKeysInTheConsole', Effect: 'Allow', Action: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey', 'kms:Encrypt'], Resource: '*' }],
  }, null, 2));
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.locator('[data-panel=inline-policies] li[data-policy=kms-use]').waitFor();

  // Alice again: the key list loads; she encrypts, but decrypting is denied.
  await actAs(page, 'alice');
  await t.goto('/keys');
  await waitForKeyTable(page);
  await page.locator(`tr[data-key-id="${keyId}"]`).waitFor();
  await t.goto('/crypto');
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('#encrypt-plaintext').fill('for alice only');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.locator('#ciphertext-output').waitFor();
  await page.getByRole('button', { name: 'Decrypt this ciphertext' }).click();
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  const decryptError = cryptoPanel(page).getByTestId('error-message');
  await decryptError.waitFor();
  assert.equal(
    await decryptError.textContent(),
    denial(account, 'user/alice', 'kms:Decrypt', keyArn, 'no identity-based policy allows the kms:Decrypt action'),
  );
  await cryptoPanel(page).getByRole('button', { name: 'Why?' }).click();
  const decryptWhy = cryptoPanel(page).locator('[data-action="kms:Decrypt"]');
  await decryptWhy.waitFor();
  assert.equal(await decryptWhy.getAttribute('data-allowed'), 'false');
  // The key policy's account statement delegates to IAM, and no IAM policy of hers allows it.
  assert.match(await decryptWhy.textContent(), /Enable IAM policies/);
  await t.shot('decrypt denied with why');

  // Root checks on the key page, then fixes the key policy in its editor.
  await actAs(page, 'root');
  await openKey(t, keyId, 'policy');
  await page.locator('#policy-check-principal').selectOption({ label: 'alice (User)' });
  await page.locator('#policy-check-operation').selectOption('Decrypt');
  const verdict = page.getByTestId('policy-check-verdict');
  await page.waitForFunction(() => document.querySelector('[data-testid=policy-check-verdict]')?.textContent === 'Denied');
  await page.locator('#policy-check-operation').selectOption('Encrypt');
  await page.waitForFunction(() => document.querySelector('[data-testid=policy-check-verdict]')?.textContent === 'Allowed');
  assert.match(await page.getByTestId('policy-check-result').textContent(), /UseKeysInTheConsole/);
  await page.locator('#policy-check-operation').selectOption('Decrypt');
  await t.shot('policy check alice decrypt denied');
  await page.locator('.tab-panel').getByRole('button', { name: 'Edit' }).click();
  const keyPolicy = page.locator('#key-policy-editor');
  const policy = JSON.parse(await keyPolicy.inputValue());
  policy.Statement.push({
    Sid: 'Allow alice to decrypt',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${account}:user/alice` },
    Action: 'kms:Decrypt',
    Resource: '*',
  });
  await keyPolicy.fill(JSON.stringify(policy, null, 4));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('key-policy').waitFor();
  await page.locator('#policy-check-principal').selectOption({ label: 'alice (User)' });
  await page.locator('#policy-check-operation').selectOption('Decrypt');
  await page.waitForFunction(() => document.querySelector('[data-testid=policy-check-verdict]')?.textContent === 'Allowed');
  assert.equal(await verdict.textContent(), 'Allowed');
  assert.match(await page.getByTestId('policy-check-result').textContent(), /Allow alice to decrypt/);
  await t.shot('policy check alice decrypt allowed');

  // Alice retries: the same ciphertext decrypts.
  await actAs(page, 'alice');
  await t.goto('/crypto');
  await page.locator('#crypto-key').selectOption(keyId);
  await page.locator('#encrypt-plaintext').fill('for alice only');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.locator('#ciphertext-output').waitFor();
  await page.getByRole('button', { name: 'Decrypt this ciphertext' }).click();
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.locator('#plaintext-output').waitFor();
  assert.equal(await page.locator('#plaintext-output').inputValue(), 'for alice only');
  await t.shot('alice decrypts after the fix');

  // The choice lasts for the tab's session: a reload still acts as alice.
  await page.reload();
  // The header can show the caller before the sandbox has opened and `window.kms` is set.
  await page.waitForFunction(() => document.querySelector('[data-testid=caller] strong')?.textContent === 'alice' && window.kms);
  assert.equal(await page.evaluate(() => window.kms.principal), `arn:aws:iam::${account}:user/alice`);
  await t.done();
});

test('IAM pages: users with tags, managed policies, access keys shown once; roles with a trust policy; deletion', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/iam' });
  const { page } = t;
  await page.waitForFunction(() => window.kms);
  await page.getByTestId('account-id').filter({ hasText: /^\d{12}$/ }).waitFor();
  const account = await page.getByTestId('account-id').textContent();

  // A customer managed policy, from the JSON editor.
  await page.locator('[data-tab=policies]').click();
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.locator('#policy-name').fill('KmsReadOnly');
  await page.locator('#policy-description').fill('See keys');
  await page.getByRole('dialog').getByRole('button', { name: 'Create policy' }).click();
  await page.locator('table[data-iam-table=policies] tr[data-name=KmsReadOnly]').waitFor();

  // A user with a path and a tag; the managed policy attached.
  await page.locator('[data-tab=users]').click();
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.locator('#user-name').fill('bob');
  await page.locator('#user-path').fill('/dev/');
  await page.getByRole('dialog').getByRole('button', { name: 'Add tag' }).click();
  await page.getByRole('dialog').locator('input[name=user-tag-key-0]').fill('team');
  await page.getByRole('dialog').locator('input[name=user-tag-value-0]').fill('blue');
  await t.shot('create user dialog');
  await page.getByRole('dialog').getByRole('button', { name: 'Create user' }).click();
  await page.locator('table[data-iam-table=users] tr[data-name=bob]').getByRole('link', { name: 'bob' }).click();
  assert.equal(await page.getByTestId('iam-arn').textContent(), `arn:aws:iam::${account}:user/dev/bob`);
  await page.getByText('team=blue').waitFor();
  await page.locator('#attach-user').selectOption({ label: 'KmsReadOnly' });
  await page.getByRole('button', { name: 'Attach policy' }).click();
  await page.locator('table[data-iam-table=attached] tr[data-name=KmsReadOnly]').waitFor();

  // An access key: the secret is shown once, with a copy button and a warning.
  await page.getByRole('button', { name: 'Create access key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Access key created' });
  await dialog.getByText('This is the only time the secret access key can be viewed').waitFor();
  const keyId = await dialog.getByTestId('new-access-key-id').textContent();
  assert.match(keyId, /^AKIA[A-Z0-9]{16}$/);
  const secret = await dialog.getByTestId('new-secret-access-key').textContent();
  assert.equal(secret.length, 40);
  assert.ok(await dialog.getByRole('button', { name: 'Copy secret' }).isVisible());
  await t.shot('access key created');
  await dialog.getByRole('button', { name: 'Done' }).click();
  const keyRow = page.locator(`tr[data-access-key=${keyId}]`);
  assert.match(await keyRow.textContent(), /Active/);
  assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
  await page.getByRole('button', { name: `Deactivate ${keyId}` }).click();
  await page.waitForFunction((id) => document.querySelector(`tr[data-access-key=${id}]`)?.textContent.includes('Inactive'), keyId);
  await t.shot('user with policy and inactive access key');

  // The policy page names bob among its entities; it cannot be deleted while attached.
  await page.locator('table[data-iam-table=attached]').getByRole('link', { name: 'KmsReadOnly' }).click();
  await page.getByTestId('policy-document').waitFor();
  assert.match(await page.getByTestId('policy-document').textContent(), /kms:ListKeys/);
  await page.getByRole('link', { name: 'bob' }).waitFor();
  await page.getByRole('button', { name: 'Delete policy' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete policy' }).click();
  await page.getByRole('dialog').getByTestId('error-type').waitFor();
  assert.match(await page.getByRole('dialog').getByTestId('error-message').textContent(), /attached/);
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  // A role: its trust policy starts out trusting this account.
  await t.goto('/iam/roles');
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.locator('#role-name').fill('AppRole');
  const trust = JSON.parse(await page.locator('#trust-policy').inputValue());
  assert.deepEqual(trust.Statement[0].Principal, { AWS: `arn:aws:iam::${account}:root` });
  assert.equal(trust.Statement[0].Action, 'sts:AssumeRole');
  await t.shot('create role dialog');
  await page.getByRole('dialog').getByRole('button', { name: 'Create role' }).click();
  await page.locator('table[data-iam-table=roles] tr[data-name=AppRole]').getByRole('link', { name: 'AppRole' }).click();
  await page.getByTestId('trust-policy').waitFor();
  // Editing the trust policy: IAM refuses a Resource in it, as AWS does.
  await page.getByRole('button', { name: 'Edit trust policy' }).click();
  await page.locator('#trust-policy-editor').fill(JSON.stringify({ ...trust, Statement: [{ ...trust.Statement[0], Resource: '*' }] }));
  await page.getByRole('button', { name: 'Update policy' }).click();
  await page.locator('[data-panel=trust-policy] [data-testid=error-type]').waitFor();
  assert.match(await page.locator('[data-panel=trust-policy] [data-testid=error-type]').textContent(), /MalformedPolicyDocument/);
  assert.equal(await page.locator('[data-panel=trust-policy] [data-testid=error-message]').textContent(), 'Has prohibited field Resource');
  await t.shot('trust policy refused by iam');
  trust.Statement[0].Principal = { AWS: `arn:aws:iam::${account}:user/dev/bob` };
  await page.locator('#trust-policy-editor').fill(JSON.stringify(trust));
  await page.getByRole('button', { name: 'Update policy' }).click();
  await page.getByTestId('trust-policy').waitFor();
  assert.match(await page.getByTestId('trust-policy').textContent(), /user\/dev\/bob/);
  await t.shot('role with trust policy');

  // The header lists the new principals; acting as the role shows its session.
  await actAs(page, 'AppRole');
  assert.equal(await page.evaluate(() => window.kms.principal), `arn:aws:sts::${account}:assumed-role/AppRole/console`);
  await actAs(page, 'root');

  // Deleting bob removes his access key and detaches his policy first, as the IAM console does.
  await t.goto('/iam/users/bob');
  await page.getByRole('button', { name: 'Delete user' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete user' }).click();
  await page.getByText('The user bob was deleted.').waitFor();
  assert.equal(await page.locator('table[data-iam-table=users] tr[data-name=bob]').count(), 0);
  await t.done();
});

test('key wizard: administrators and users are the real IAM principals, and the key policy is the console default', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/create' });
  const { page } = t;
  await page.getByTestId('account-id').filter({ hasText: /^\d{12}$/ }).waitFor();
  const account = await page.getByTestId('account-id').textContent();
  await page.getByRole('heading', { name: 'Configure key' }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('#alias').fill('e2e-wizard-iam');
  await page.getByRole('button', { name: 'Next' }).click();
  // No users or roles yet: the step says so and links to IAM.
  await page.getByText('This account has no IAM users or roles yet.').waitFor();
  assert.ok(await page.locator('[data-principals=Administrator]').getByRole('link', { name: 'IAM' }).isVisible());
  await t.shot('wizard without principals');

  await createPrincipals(page, { users: ['carol'], roles: ['KeyAdmins'] });
  await page.getByRole('button', { name: 'Previous' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  const admins = page.locator('[data-principals=Administrator] tbody tr');
  assert.deepEqual(await admins.locator('td:nth-child(2)').allTextContents(), ['KeyAdmins', 'carol']);
  await page.getByLabel('Administrator KeyAdmins', { exact: true }).check();
  await t.shot('wizard administrators from iam');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('User carol', { exact: true }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  const policy = JSON.parse(await page.locator('#policy-editor').inputValue());
  assert.deepEqual(policy, {
    Version: '2012-10-17',
    Id: 'key-consolepolicy-3',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'Allow access for Key Administrators',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:role/KeyAdmins` },
        Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'],
        Resource: '*',
      },
      {
        Sid: 'Allow use of the key',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:user/carol` },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'Allow attachment of persistent resources',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:user/carol` },
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
    ],
  });
  await page.getByRole('button', { name: 'Finish' }).click();
  const banner = page.locator('[data-flash=success]');
  await banner.waitFor({ timeout: 30_000 });
  const keyId = (await banner.textContent()).match(/key ID ([0-9a-f-]{36})/)[1];

  // The key policy works as written: carol may encrypt, and the key administrators' role may not.
  await openKey(t, keyId, 'policy');
  await page.locator('#policy-check-principal').selectOption({ label: 'carol (User)' });
  await page.waitForFunction(() => document.querySelector('[data-testid=policy-check-verdict]')?.textContent === 'Allowed');
  assert.match(await page.getByTestId('policy-check-result').textContent(), /Allow use of the key/);
  await page.locator('#policy-check-principal').selectOption({ label: 'KeyAdmins (Role)' });
  await page.waitForFunction(() => document.querySelector('[data-testid=policy-check-verdict]')?.textContent === 'Denied');
  await page.locator('#policy-check-operation').selectOption('DisableKey');
  await page.waitForFunction(() => document.querySelector('[data-testid=policy-check-verdict]')?.textContent === 'Allowed');
  assert.match(await page.getByTestId('policy-check-result').textContent(), /Allow access for Key Administrators/);
  await t.shot('policy check on the wizard key');
  await t.done();
});
