// Shared pieces of the console's end-to-end tests: the browser, the console's URL, screenshots,
// and the few UI steps many tests take (create a key through the wizard, open a key).
import { chromium } from 'playwright-core';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../..');
export const ARTIFACTS = join(REPO, 'tests/artifacts');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/// axe-core (npm), injected into pages to scan them.
const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/// Impacts that fail a scan.
export const FAILING_IMPACTS = ['serious', 'critical'];

/// Scans the page as it is with axe-core (WCAG 2.x A and AA rules and axe's best practices) and
/// returns `{ violations, passes }`: the serious and critical violations, one line each with the
/// elements concerned, and how many rules passed (a scan that checked nothing is suspect).
export async function axeScan(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    // Evaluated through the DevTools protocol, not as a script tag: the console's strict CSP
    // (tests/e2e/server.mjs) refuses inline scripts.
    await page.evaluate(await AXE_SOURCE);
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      passes: r.passes.length,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ')})` : ''}`),
      })),
    };
  });
  return {
    passes: result.passes,
    violations: result.violations
      .filter((v) => FAILING_IMPACTS.includes(v.impact))
      .map((v) => `${v.impact} ${v.id}: ${v.help}: ${v.nodes.slice(0, 5).join('; ')}`),
  };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/// The console's URL: CONSOLE_URL (scripts/test-console.sh serves the release build under a
/// sub-path), or else a server of our own over dist/ under the same sub-path.
export async function consoleUrl() {
  if (process.env.CONSOLE_URL) return { url: process.env.CONSOLE_URL, close: async () => {} };
  const dist = process.env.CONSOLE_DIST || join(REPO, 'dist');
  const srv = await startServer({ dir: dist, base: '/some/sub/path/' });
  return { url: `${srv.origin}/some/sub/path/`, close: srv.close };
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

/// A fresh browser context (its own IndexedDB: an empty sandbox) with one page on the console.
/// `t.shot(label)` saves a full-page screenshot to tests/artifacts/<test>/NN-<label>.png.
/// Every screenshot is also an accessibility scan (`axeScan`).
/// Page errors, Rust panics and serious or critical axe violations are collected; `t.done()`
/// asserts there were none.
export async function openConsole(browser, baseUrl, testName, { route = '/keys', viewport } = {}) {
  const context = await browser.newContext({
    viewport: viewport || { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  const a11y = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  const dir = join(ARTIFACTS, slug(testName));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let n = 0;
  const t = {
    page,
    context,
    baseUrl,
    problems,
    async goto(r) {
      await page.goto(`${baseUrl}#${r}`);
    },
    async shot(label) {
      n += 1;
      // Let transitions and async renders settle before the picture.
      await page.waitForTimeout(150);
      // A full-page picture of a scrolled page draws the sticky header mid-page.
      await page.evaluate(() => window.scrollTo(0, 0));
      const file = join(dir, `${String(n).padStart(2, '0')}-${slug(label)}.png`);
      await page.screenshot({ path: file, fullPage: true });
      const { violations } = await axeScan(page);
      a11y.push(...violations.map((v) => `${label}: ${v}`));
      return file;
    },
    async done() {
      await context.close();
      assert.deepEqual(problems, [], 'the page logged errors');
      assert.deepEqual(a11y, [], 'axe-core found serious or critical accessibility violations');
    },
  };
  await t.goto(route);
  return t;
}

/// Waits until the key table of the page has loaded (rows or its empty state).
export async function waitForKeyTable(page) {
  await page.locator('table[data-table] tbody tr:not(:has(.loading))').first().waitFor();
}

/// Creates a key through the five wizard steps and returns its key id (from the success banner).
/// opts: { type: 'Symmetric'|'Asymmetric', usage, spec, alias, description, tags: [[k,v]],
///         configure: async (page) => {} (more choices on step 1, e.g. advanced options),
///         admins: ['Admin'], users: ['Alice'], shot, whileCreating: async () => {} }
export async function createKeyWithWizard(t, opts) {
  const { page } = t;
  const shot = opts.shot ? (l) => t.shot(l) : async () => {};
  await t.goto('/keys');
  await waitForKeyTable(page);
  await page.getByRole('button', { name: 'Create key' }).first().click();
  await page.getByRole('heading', { name: 'Configure key' }).waitFor();
  if (opts.type && opts.type !== 'Symmetric') await page.locator(`input[name=key-type][value=${opts.type}]`).check();
  if (opts.usage) await page.locator(`input[name=key-usage][value=${opts.usage}]`).check();
  if (opts.spec) await page.locator(`input[name=key-spec][value=${opts.spec}]`).check();
  if (opts.configure) await opts.configure(page);
  await shot('wizard step 1 configure key');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Add labels' }).waitFor();
  await page.locator('#alias').fill(opts.alias);
  if (opts.description) await page.locator('#description').fill(opts.description);
  for (const [i, [k, v]] of (opts.tags || []).entries()) {
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.locator(`input[name=tag-key-${i}]`).fill(k);
    await page.locator(`input[name=tag-value-${i}]`).fill(v);
  }
  await shot('wizard step 2 labels');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Define key administrative permissions' }).waitFor();
  for (const a of opts.admins || []) await page.getByLabel(`Administrator ${a}`, { exact: true }).check();
  await shot('wizard step 3 key administrators');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Define key usage permissions' }).waitFor();
  for (const u of opts.users || []) await page.getByLabel(`User ${u}`, { exact: true }).check();
  await shot('wizard step 4 key users');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Review' }).waitFor();
  await shot('wizard step 5 review');
  await page.getByRole('button', { name: 'Finish' }).click();
  if (opts.whileCreating) await opts.whileCreating();

  const banner = page.locator('[data-flash=success]');
  await banner.waitFor({ timeout: 30_000 });
  const text = await banner.textContent();
  const m = text.match(/key ID (mrk-[0-9a-f]{32}|[0-9a-f-]{36})/);
  assert.ok(m, `success banner names the key: ${text}`);
  return m[1];
}

/// The row of the customer managed keys table for a key id.
export function keyRow(page, keyId) {
  return page.locator(`table[data-table=customer-managed] tr[data-key-id="${keyId}"]`);
}

/// Creates a key through the page's `window.kms` (the sandbox's JS API), for tests whose subject
/// is not the wizard. Returns its key id.
export async function createKeyApi(page, { alias, spec = 'SYMMETRIC_DEFAULT', usage = 'ENCRYPT_DECRYPT', description = '' } = {}) {
  await page.waitForFunction(() => window.kms);
  return page.evaluate(
    async ({ alias, spec, usage, description }) => {
      const { KeyMetadata } = await window.kms.send('CreateKey', { KeySpec: spec, KeyUsage: usage, Description: description });
      if (alias) await window.kms.send('CreateAlias', { AliasName: `alias/${alias}`, TargetKeyId: KeyMetadata.KeyId });
      return KeyMetadata.KeyId;
    },
    { alias, spec, usage, description },
  );
}

/// Opens the key's page on the given tab (policy, crypto, tags, rotation, public-key, aliases).
export async function openKey(t, keyId, tab) {
  await t.goto(tab ? `/keys/${keyId}/${tab}` : `/keys/${keyId}`);
  await t.page.getByTestId('key-title').waitFor();
}

/// Chooses an item of the Key actions menu (key table or key page).
export async function keyAction(page, item) {
  await page.getByRole('button', { name: 'Key actions' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

/// The visible Encrypt-and-decrypt tab panel.
export function cryptoPanel(page) {
  return page.locator('.crypto-panel:not([hidden])');
}

/// Creates IAM users and roles through the page's `window.kms` (as the account root): the
/// wizard's key policy steps list the sandbox's real principals. Roles trust the account.
export async function createPrincipals(page, { users = [], roles = [] } = {}) {
  await page.waitForFunction(() => window.kms);
  await page.evaluate(
    async ({ users, roles }) => {
      const iam = window.kms.service('iam');
      const trust = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${window.kms.accountId}:root` }, Action: 'sts:AssumeRole' }],
      });
      for (const UserName of users) await iam.send('CreateUser', { UserName });
      for (const RoleName of roles) await iam.send('CreateRole', { RoleName, AssumeRolePolicyDocument: trust });
    },
    { users, roles },
  );
}

/// Picks who the console acts as in the header: 'root' or a user's or role's name.
export async function actAs(page, name) {
  await page.getByTestId('caller').click();
  const menu = page.getByRole('menu', { name: 'Act as' });
  if (name === 'root') await menu.locator('[data-principal=root]').click();
  else await menu.locator(`[data-principal$="/${name}"]`).click();
  const shown = name === 'root' ? 'root user' : name;
  await page.waitForFunction((shown) => document.querySelector('[data-testid=caller] strong')?.textContent.endsWith(shown), shown);
}
