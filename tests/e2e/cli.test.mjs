// End-to-end test of the console's terminal page (#/cli): AWS CLI v2 command lines run against
// the sandbox, the file area, history, completion, profiles and "Open in terminal".
// Run by scripts/test-console.sh (`--test-name-pattern=cli` for this file's test alone).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleUrl, createKeyApi, createPrincipals, launchBrowser, openConsole, openKey, waitForKeyTable } from './helpers.mjs';

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

/// Types a line into the terminal, runs it and returns its output block when it has printed.
async function run(page, line) {
  const blocks = page.locator('.term-block');
  const before = await blocks.count();
  const input = page.getByLabel('Command line');
  await input.fill(line);
  await input.press('Enter');
  await blocks.nth(before).waitFor();
  const block = blocks.nth(before);
  const text = async (sel) => ((await block.locator(sel).count()) ? block.locator(sel).first().textContent() : '');
  return {
    block,
    stdout: await text('.term-out'),
    stderr: await text('.term-err'),
    exit: await text('.term-exit'),
    note: await text('.term-note'),
  };
}

test('cli terminal: create a key and an alias, encrypt a file to a file and decrypt it, queries, errors, history, completion, profiles, Open in terminal', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/cli' });
  const { page } = t;
  const input = page.getByLabel('Command line');
  await input.waitFor();
  // The page is in the navigation, and the input has the focus.
  await page.locator('#sidenav').getByRole('link', { name: 'AWS CLI terminal' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cli-input');
  await t.shot('terminal empty');

  // create-key, its id taken with --query ... --output text; describe-key prints the CLI's JSON.
  const created = await run(page, 'aws kms create-key --description demo --query KeyMetadata.KeyId --output text');
  const id = created.stdout.trim();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(created.exit, '');
  const meta = JSON.parse((await run(page, `aws kms describe-key --key-id ${id}`)).stdout).KeyMetadata;
  assert.equal(meta.Description, 'demo');
  assert.equal(meta.KeyState, 'Enabled');
  const alias = await run(page, `aws kms create-alias --alias-name alias/demo --target-key-id ${id}`);
  assert.equal(alias.stdout + alias.stderr + alias.exit, '');

  // A file uploaded to the file area, encrypted into another file, decrypted back.
  await page.locator('.file-area input[type=file]').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the terminal\n') });
  await page.locator('.file-table').getByText('note.txt', { exact: true }).waitFor();
  const enc = await run(page, 'aws kms encrypt --key-id alias/demo --plaintext fileb://note.txt --query CiphertextBlob --output text > note.enc');
  assert.equal(enc.stdout, '');
  assert.match(enc.note, /note\.enc/);
  await page.locator('.file-table').getByText('note.enc', { exact: true }).waitFor();
  const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('kms-cli-files')));
  const ciphertextB64 = Buffer.from(stored['note.enc'], 'base64').toString('utf8').trim();
  assert.ok(ciphertextB64.length > 100, 'the ciphertext was written as base64 text');
  const dec = await run(page, 'aws kms decrypt --ciphertext-blob file://note.enc --query Plaintext --output text');
  assert.equal(Buffer.from(dec.stdout.trim(), 'base64').toString('utf8'), 'hello from the terminal\n');
  const decKey = await run(page, 'aws kms decrypt --ciphertext-blob file://note.enc --query KeyId --output text');
  assert.match(decKey.stdout, new RegExp(`key/${id}`));
  await t.shot('encrypt to a file and decrypt');

  // The file area downloads what the commands wrote.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download note.enc' }).click()]);
  assert.equal(download.suggestedFilename(), 'note.enc');

  // list-aliases with a JMESPath filter, as text.
  const aliases = await run(page, "aws kms list-aliases --query 'Aliases[?starts_with(AliasName, `alias/d`)].AliasName' --output text");
  assert.equal(aliases.stdout.trim(), 'alias/demo');

  // An error: the CLI's error line on stderr and its exit code.
  const nope = await run(page, 'aws kms describe-key --key-id alias/nope');
  assert.equal(nope.stdout, '');
  assert.match(nope.stderr, /An error occurred \(NotFoundException\) when calling the DescribeKey operation: .*alias\/nope/);
  assert.equal(nope.exit, 'exit code 254');
  // Not a command at all: bash's line.
  const bad = await run(page, 'ls');
  assert.match(bad.stderr, /command not found/);
  await t.shot('error line and exit code');

  // History: ArrowUp brings back the last commands, ArrowDown returns.
  await input.focus();
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'ls');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'aws kms describe-key --key-id alias/nope');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  assert.equal(await input.inputValue(), '');

  // Tab completion of a command and of an option.
  await input.fill('aws kms list-ali');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'aws kms list-aliases ');
  await input.fill('aws kms gen');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'aws kms generate-');
  await page.locator('.term-choices').getByText('generate-data-key', { exact: true }).waitFor();
  await t.shot('tab completion choices');
  await input.fill('aws kms describe-key --key');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'aws kms describe-key --key-id ');

  // A command as the course prints it, continued over lines with backslashes: pasted, it is one
  // line; typed, Enter after a backslash gives bash's "> " prompt and the command goes on.
  await input.fill('');
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData('text/plain', 'aws kms describe-key \\\n    --key-id alias/demo \\\n    --query KeyMetadata.Description --output text');
    document.getElementById('cli-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.getElementById('cli-input').value.includes('--output text'));
  assert.equal(await input.inputValue(), 'aws kms describe-key --key-id alias/demo --query KeyMetadata.Description --output text');
  const blocksBefore = await page.locator('.term-block').count();
  await input.fill('aws kms describe-key \\');
  await input.press('Enter');
  await page.getByTestId('cli-pending').waitFor();
  assert.equal(await page.locator('.term-block').count(), blocksBefore, 'nothing ran yet');
  const continued = await run(page, '  --key-id alias/demo --query KeyMetadata.Description --output text');
  assert.equal(continued.stdout.trim(), 'demo');
  assert.equal(await page.getByTestId('cli-pending').count(), 0);

  // Profiles are the sandbox's IAM users and roles.
  await createPrincipals(page, { users: ['alice'] });
  const who = await run(page, 'aws sts get-caller-identity --profile alice --query Arn --output text');
  assert.match(who.stdout, /:user\/alice$/m);
  const unknown = await run(page, 'aws kms list-keys --profile nobody');
  assert.notEqual(unknown.exit, '');

  // help: the models' text, from the second wasm module that carries the CLI.
  const help = await run(page, 'aws kms encrypt help');
  assert.match(help.stdout, /--key-id/);
  assert.match(help.stdout, /Encrypts plaintext of up to 4,096 bytes using a KMS key/);
  assert.equal(help.note, '');
  await help.block.scrollIntoViewIfNeeded();
  await t.shot('help from the models');

  // clear empties the scrollback.
  await input.fill('clear');
  await input.press('Enter');
  await page.locator('.term-block').first().waitFor({ state: 'detached' });

  // Keyboard only: Tab on an empty line leaves the input for the output and the file area.
  await input.focus();
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'cli-input');

  // "Open in terminal" from a key page's CLI snippet (Edit description shows the
  // UpdateKeyDescription it will send) fills the command without running it.
  await openKey(t, id);
  await page.locator('.panel', { hasText: 'General configuration' }).getByRole('button', { name: 'Edit' }).click();
  await page.locator('#desc-input').fill('from the terminal');
  const panel = page.locator('details.api-panel').first();
  await panel.locator('summary').click();
  await t.shot('key page snippet with open in terminal');
  await panel.getByRole('button', { name: 'Open in terminal' }).click();
  await input.waitFor();
  const filled = await input.inputValue();
  assert.equal(filled, `aws kms update-key-description --key-id ${id} --description 'from the terminal' --region ${meta.Arn.split(':')[3]}`);
  assert.equal(await page.locator('.term-block').count(), 0, 'filled in, not run');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cli-input');
  await t.shot('open in terminal from a key page');
  await input.press('Enter');
  await page.locator('.term-block').first().waitFor();
  const described = await run(page, `aws kms describe-key --key-id ${id} --query KeyMetadata.Description --output text`);
  assert.equal(described.stdout.trim(), 'from the terminal');
  await t.shot('snippet run');

  await t.done();
});

test('cli module: the CLI and Terraform load on first use, not with the page; a failed fetch says so and is tried again', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name, { route: '/keys' });
  const { page } = t;
  await waitForKeyTable(page);
  const toolsFetched = () => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('kms-console-tools')));
  assert.equal(await toolsFetched(), false, 'the key table does not fetch the CLI module');

  // The module's wasm cannot be fetched: the terminal says so, with the CLI's exit code 255.
  await page.route('**/kms-console-tools_bg.wasm', (r) => r.abort());
  await t.goto('/cli');
  const failed = await run(page, 'aws kms list-keys');
  assert.match(failed.stderr, /did not load/);
  assert.equal(failed.exit, 'exit code 255');
  await t.shot('module not loaded');

  // Once it can, the next command loads it and runs.
  await page.unroute('**/kms-console-tools_bg.wasm');
  const ok = await run(page, 'aws kms list-aliases --query "length(Aliases)" --output text');
  assert.equal(ok.exit, '');
  assert.match(ok.stdout, /^\d+\s*$/);
  assert.equal(await toolsFetched(), true);
  // The aborted fetches were logged as errors: that was the point here.
  t.problems.length = 0;
  await t.done();
});
