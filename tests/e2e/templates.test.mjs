// End-to-end tests of the template pages: #/cloudformation (the seed's create-kms-cf.yaml and
// create-kms-params.json make a stack whose key and alias exist, then delete-stack) and
// #/terraform (create-kms.tf applied: its key and alias exist; the state survives a reload;
// destroy). Run by scripts/test-console.sh (`--test-name-pattern=templates`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleUrl, launchBrowser, openConsole } from './helpers.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
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

const send = (page, op, input) =>
  page.evaluate(async ({ op, input }) => {
    try {
      return await window.kms.send(op, input);
    } catch (e) {
      return { error: e.name || String(e) };
    }
  }, { op, input });

test('templates cloudformation: create a stack from the seed template and parameters file, see its key, delete it', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/cloudformation' });
  const { page } = t;
  await page.locator('#sidenav').getByRole('link', { name: 'CloudFormation stacks' }).waitFor();
  await page.getByText('No stacks').waitFor();
  await t.shot('no stacks');

  const template = await readFile(join(REPO, 'crates/kms-core/tests/data/create-kms-cf.yaml'), 'utf8');
  const params = await readFile(join(REPO, 'crates/kms-core/tests/data/create-kms-params.json'));
  await page.getByRole('button', { name: 'Create stack' }).click();
  await page.getByLabel('Stack name').fill('MyKMSKeyStack');
  await page.locator('#cfn-template').fill(template);
  await page.locator('input[type=file][accept=".json"]').setInputFiles({ name: 'create-kms-params.json', mimeType: 'application/json', buffer: params });
  await page.waitForFunction(() => document.querySelector('#cfn-params').value.includes('alias/hands-on'));
  await page.getByRole('button', { name: 'Read parameters from the template' }).click();
  await page.locator('#cfn-param-Environment').waitFor();
  assert.equal(await page.locator('#cfn-param-Environment').inputValue(), 'dev');
  await t.shot('create stack with parameters');
  await page.locator('[data-cfn=create]').click();

  // The stack's page: complete, with its events, resources (the key links to its page) and outputs.
  await page.locator('[data-status=CREATE_COMPLETE]').first().waitFor();
  await page.locator('table[data-cfn-table=events] tbody tr').first().waitFor();
  await t.shot('stack events');
  await page.getByRole('tab', { name: 'Resources' }).click();
  const keyLink = page.locator('tr[data-logical-id=MyKMSKey] a');
  const keyId = (await keyLink.textContent()).trim();
  assert.match(keyId, /^[0-9a-f-]{36}$/);
  await t.shot('stack resources');
  await page.getByRole('tab', { name: 'Outputs' }).click();
  await page.locator('table[data-cfn-table=outputs]').getByText(keyId, { exact: true }).waitFor();
  await page.getByRole('tab', { name: 'Parameters' }).click();
  await page.locator('table[data-cfn-table=parameters]').getByText('alias/hands-on', { exact: true }).waitFor();
  await page.getByRole('tab', { name: 'Template' }).click();
  await page.locator('[data-cfn-template]').getByText('AWS::KMS::Alias', { exact: false }).waitFor();
  await t.shot('stack template');

  // The key and alias exist, as the parameters file said.
  const described = await send(page, 'DescribeKey', { KeyId: 'alias/hands-on' });
  assert.equal(described.KeyMetadata.KeyId, keyId);
  assert.equal(described.KeyMetadata.Description, 'My KMS key for the hands-on');

  // The key's page opens from the resource.
  await page.getByRole('tab', { name: 'Resources' }).click();
  await keyLink.click();
  await page.getByTestId('key-title').waitFor();
  await page.goBack();

  // Termination protection: activated, Delete is refused with CloudFormation's message;
  // deactivated again, the stack deletes.
  await page.locator('[data-cfn-protection=off]').waitFor();
  await page.locator('[data-cfn=protect]').click();
  await page.locator('[data-cfn-protection=on]').waitFor();
  await page.locator('[data-cfn=delete]').click();
  await page.locator('[data-cfn=confirm-delete]').click();
  await page.getByTestId('error-message').getByText('cannot be deleted while TerminationProtection is enabled', { exact: false }).waitFor();
  await t.shot('stack termination protection');
  await page.locator('[data-cfn=protect]').click();
  await page.locator('[data-cfn-protection=off]').waitFor();

  // Delete asks first (Cancel keeps the stack); confirmed: back to the list; the key is pending
  // deletion and the alias gone.
  await page.locator('[data-cfn=delete]').click();
  await page.getByRole('dialog', { name: 'Delete stack?' }).getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-cfn-protection=off]').count(), 1, 'still on the stack page');
  await page.locator('[data-cfn=delete]').click();
  await t.shot('delete stack confirmation');
  await page.locator('[data-cfn=confirm-delete]').click();
  await page.locator('table[data-cfn-table=stacks], .empty').first().waitFor();
  await page.waitForFunction(() => location.hash.endsWith('/cloudformation'));
  const after = await send(page, 'DescribeKey', { KeyId: keyId });
  assert.equal(after.KeyMetadata.KeyState, 'PendingDeletion');
  assert.equal((await send(page, 'DescribeKey', { KeyId: 'alias/hands-on' })).error, 'NotFoundException');
  await t.shot('after delete stack');
  await t.done();
});

test('templates cloudformation: the example template creates its stack in two clicks', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/cloudformation' });
  const { page } = t;
  await page.getByRole('button', { name: 'Create stack' }).click();
  await page.getByRole('button', { name: 'Use the example template' }).click();
  assert.equal(await page.getByLabel('Stack name').inputValue(), 'MyKMSKeyStack');
  assert.match(await page.locator('#cfn-template').inputValue(), /AWS::KMS::Key/);
  assert.match(await page.locator('#cfn-params').inputValue(), /alias\/hands-on/);
  await page.locator('[data-cfn=create]').click();
  await page.locator('[data-status=CREATE_COMPLETE]').first().waitFor();
  const described = await send(page, 'DescribeKey', { KeyId: 'alias/hands-on' });
  assert.equal(described.KeyMetadata.Description, 'My KMS key for the hands-on');
  await t.done();
});

test('templates terraform: validate, plan and apply create-kms.tf, the key and alias exist, the state survives a reload and goes with a reset, destroy', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/terraform' });
  const { page } = t;
  await page.locator('#sidenav').getByRole('link', { name: 'Terraform' }).waitFor();
  const editor = page.locator('#tf-editor');
  await editor.waitFor();
  assert.match(await editor.inputValue(), /resource "aws_kms_alias" "example"/);
  await t.shot('terraform editor');
  // A second tab of the same console, open on this page before the apply.
  const other = await t.context.newPage();
  await other.goto(`${server.url}#/terraform`);
  await other.getByText('No resources').waitFor();

  const out = page.locator('[data-tf-out=stdout]');
  const run = async (button, expect) => {
    await page.locator(`[data-tf=${button}]`).click();
    await page.waitForFunction((e) => document.querySelector('[data-tf-out=stdout]')?.textContent.includes(e), expect);
    return out.textContent();
  };
  assert.match(await run('validate', 'Success!'), /Success! The configuration is valid\./);
  const plan = await run('plan', 'Plan:');
  assert.match(plan, /# aws_kms_key\.example will be created/);
  assert.match(plan, /\+ resource "aws_kms_alias" "example" \{/);
  assert.match(plan, /\+ arn +\= \(known after apply\)/);
  assert.match(plan, /Plan: 2 to add, 0 to change, 0 to destroy\./);
  await t.shot('terraform plan');
  const applied = await run('apply', 'Apply complete!');
  assert.match(applied, /Apply complete! Resources: 2 added, 0 changed, 0 destroyed\./);
  await page.locator('table[data-tf-state=resources] tr[data-address="aws_kms_key.example"]').waitFor();
  await t.shot('terraform applied');
  // The other tab's state panel follows, without a reload.
  await other.locator('table[data-tf-state=resources] tr[data-address="aws_kms_alias.example"]').waitFor({ timeout: 5000 });
  await other.close();

  const key = await send(page, 'DescribeKey', { KeyId: 'alias/my-terraform-key' });
  assert.equal(key.KeyMetadata.Description, 'KMS key created with Terraform');
  assert.equal(key.KeyMetadata.KeyState, 'Enabled');
  assert.match(applied, new RegExp(`key_id = "${key.KeyMetadata.KeyId}"`));

  // The state is the sandbox's: it is there after a reload, and nothing is left to do.
  await page.reload();
  await page.locator('table[data-tf-state=resources] tr[data-address="aws_kms_alias.example"]').waitFor();
  assert.match(await run('plan', 'No changes.'), /No changes\. Your infrastructure matches the configuration\./);

  // Another deployment of the same origin (the root path here) has its own sandbox of the same
  // name, and so its own state: none.
  const root = await t.context.newPage();
  await root.goto(`${new URL('/', server.url).href}#/terraform`);
  await root.getByText('No resources').waitFor();
  await root.close();

  // Resetting the sandbox takes its state with its keys: the plan is to create both again.
  await t.goto('/settings');
  await page.getByRole('button', { name: 'Reset sandbox' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox').fill(await page.getByTestId('sandbox-name').textContent());
  await dialog.getByRole('button', { name: /Reset/ }).click();
  await page.locator('[data-flash=success]').waitFor();
  await t.goto('/terraform');
  await page.getByText('No resources').waitFor();
  assert.match(await run('plan', 'Plan:'), /Plan: 2 to add, 0 to change, 0 to destroy\./);
  assert.match(await run('apply', 'Apply complete!'), /Resources: 2 added/);
  const again = await send(page, 'DescribeKey', { KeyId: 'alias/my-terraform-key' });
  assert.notEqual(again.KeyMetadata.KeyId, key.KeyMetadata.KeyId);

  const destroyed = await run('destroy', 'Destroy complete!');
  assert.match(destroyed, /Destroy complete! Resources: 2 destroyed\./);
  assert.equal((await send(page, 'DescribeKey', { KeyId: again.KeyMetadata.KeyId })).KeyMetadata.KeyState, 'PendingDeletion');
  await page.getByText('No resources').waitFor();
  await t.shot('terraform destroyed');
  await t.done();
});
