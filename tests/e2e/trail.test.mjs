// End-to-end tests of CloudTrail's event history, the sandbox clock and the bill in the
// console: filters, a key's events, a key's deletion as the clock passes its date, the Bill page.
// Run by scripts/test-console.sh; by hand:
//   (cd tests/e2e && CONSOLE_URL=http://127.0.0.1:8080/ node --test trail.test.mjs)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { consoleUrl, createKeyApi, keyAction, keyRow, launchBrowser, openConsole, openKey, waitForKeyTable } from './helpers.mjs';

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

/// The event names of the event history's rows, top to bottom.
async function eventNames(page) {
  await page.getByTestId('events-table').waitFor();
  return page.locator('[data-testid=events-table] tbody tr[data-event-name]').evaluateAll((rows) => rows.map((r) => r.dataset.eventName));
}

/// Waits until the events table has been (re)loaded with rows matching `pred` (checked here, not
/// in the page: the page's CSP forbids evaluating strings, as `new Function` would).
async function waitForEvents(page, pred) {
  const rows = () => page.locator('[data-testid=events-table] tbody tr[data-event-name]')
    .evaluateAll((rs) => rs.map((r) => r.dataset.eventName));
  for (let i = 0; i < 300; i++) {
    if (pred(await rows())) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the events table never matched ${pred}: ${JSON.stringify(await rows())}`);
}

/// Advances the sandbox clock from the header's dialog, pictures what happened, closes the
/// dialog and returns the "what happened" text.
async function advance(t, label) {
  const { page } = t;
  await page.getByTestId('sandbox-clock').click();
  const dialog = page.getByRole('dialog', { name: 'Sandbox clock' });
  await dialog.waitFor();
  const before = await dialog.getByTestId('clock-now').textContent();
  await dialog.getByRole('button', { name: label, exact: true }).click();
  await dialog.getByTestId('what-happened').waitFor();
  assert.notEqual(await dialog.getByTestId('clock-now').textContent(), before, 'the dialog shows the new time');
  const text = await dialog.getByTestId('what-happened').textContent();
  assert.match(await dialog.getByRole('link', { name: 'See these events in Event history' }).getAttribute('href'), /^#\/events\?start=\d+&end=\d+$/);
  await t.shot(`clock dialog after ${label}`);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  return text;
}

test('event history: newest first, filter by event name and time, open an event, download, load more', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  const keyId = await createKeyApi(page, { alias: 'e2e-trail' });

  await t.goto('/events');
  await waitForEvents(page, (rows) => rows.includes('CreateAlias'));
  const names = await eventNames(page);
  // Newest first: the alias came after its key.
  assert.ok(names.indexOf('CreateAlias') < names.indexOf('CreateKey'), names.join(', '));
  assert.ok(names.includes('ListKeys'), 'the console\'s own requests are recorded too');
  await t.shot('event history');

  // Live: a key made through window.kms shows without a refresh.
  await page.evaluate(() => window.kms.send('CreateKey', { Description: 'made while the history is open' }));
  await waitForEvents(page, (rows) => rows.filter((n) => n === 'CreateKey').length === 2);

  // Filter by event name: only CreateAlias, and the filter is in the URL.
  await page.getByLabel('Lookup attribute').selectOption('EventName');
  await page.getByLabel('Value').fill('CreateAlias');
  await page.getByRole('button', { name: 'Apply filter' }).click();
  await waitForEvents(page, (rows) => rows.length === 1 && rows[0] === 'CreateAlias');
  assert.match(page.url(), /#\/events\?attribute=EventName&value=CreateAlias/);
  const row = page.locator('[data-testid=events-table] tbody tr').first();
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[1], 'root');
  assert.equal(cells[5], 'kms.amazonaws.com');
  assert.match(cells[4], new RegExp(keyId));
  await t.shot('filtered by event name');

  // The event's record: CloudTrailEvent, pretty-printed.
  await row.getByRole('button', { name: 'CreateAlias' }).click();
  const dialog = page.getByRole('dialog', { name: 'CreateAlias event' });
  const json = JSON.parse(await dialog.getByTestId('event-json').textContent());
  assert.equal(json.eventName, 'CreateAlias');
  assert.equal(json.eventType, 'AwsApiCall');
  assert.equal(json.requestParameters.aliasName, 'alias/e2e-trail');
  assert.match(await dialog.getByTestId('event-json').textContent(), /\n {2}"eventVersion"/);
  await t.shot('event record');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  // Download: the shown events as CloudTrail's {"Records": [...]}.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-events').click()]);
  assert.equal(download.suggestedFilename(), 'event_history.json');
  const file = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.deepEqual(file.Records.map((r) => r.eventName), ['CreateAlias']);

  // A time range after every event: nothing.
  const now = await page.evaluate(() => window.kms.clock.now().getTime());
  await page.getByLabel('Start time (UTC)').fill(new Date(now + 3600e3).toISOString().slice(0, 16));
  await page.getByRole('button', { name: 'Apply filter' }).click();
  await page.getByText('No events match this filter and time range.').waitFor();
  await t.shot('time range with no events');

  // More than 50 events: the first 50, then "Load more".
  await page.evaluate(async (KeyId) => {
    for (let i = 0; i < 60; i++) await window.kms.send('Encrypt', { KeyId, Plaintext: new TextEncoder().encode(`m${i}`) });
  }, keyId);
  await page.getByRole('button', { name: 'Clear' }).click();
  await waitForEvents(page, (rows) => rows.length === 50);
  assert.match(await page.locator('.events-page h2').first().textContent(), /Events \(50\+\)/);
  await page.getByRole('button', { name: 'Load more events' }).click();
  await waitForEvents(page, (rows) => rows.length > 50 && rows.includes('CreateKey'));
  await t.done();
});

test('a key\'s recent events on its page, linking to the event history filtered to the key', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  const keyId = await createKeyApi(page, { alias: 'e2e-key-events' });
  const other = await createKeyApi(page, { alias: 'e2e-other' });
  await page.evaluate(async (KeyId) => {
    await window.kms.send('Encrypt', { KeyId, Plaintext: new TextEncoder().encode('hello') });
    await window.kms.send('DisableKey', { KeyId });
    await window.kms.send('Encrypt', { KeyId, Plaintext: new TextEncoder().encode('refused') }).catch(() => {});
  }, keyId);

  await openKey(t, keyId, 'events');
  const table = page.getByTestId('key-events');
  await table.waitFor();
  const names = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.eventName));
  for (const n of ['Encrypt', 'DisableKey', 'CreateKey']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  // The refused Encrypt (the key is disabled) shows its error code.
  assert.match(await table.locator('tbody tr[data-event-name=Encrypt]').first().textContent(), /DisabledException/);
  await t.shot('key recent events');

  await page.getByTestId('key-events-link').click();
  await page.getByTestId('events-table').waitFor();
  assert.match(page.url(), /attribute=ResourceName&value=arn%3Aaws%3Akms/);
  assert.match(await page.getByLabel('Value').inputValue(), new RegExp(`key/${keyId}$`));
  await waitForEvents(page, (rows) => rows.includes('CreateKey'));
  const resources = await page.locator('[data-testid=events-table] td.resource-name').allTextContents();
  assert.ok(resources.every((r) => r.includes(keyId)), 'every event names the key');
  assert.ok(!resources.some((r) => r.includes(other)), 'no event of the other key');
  await t.shot('event history filtered to the key');
  await t.done();
});

test('sandbox clock: schedule deletions, advance the clock, watch the keys go with KMS\'s DeleteKey events', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  assert.match(await page.getByTestId('sandbox-clock').textContent(), /Sandbox time: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  const soon = await createKeyApi(page, { alias: 'e2e-7-days' });
  const later = await createKeyApi(page, { alias: 'e2e-30-days' });
  // The 30-day one through the API, the 7-day one through the key page's dialog.
  await page.evaluate((KeyId) => window.kms.send('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 30 }), later);
  await openKey(t, soon);
  await keyAction(page, 'Schedule key deletion');
  const dialog = page.getByRole('dialog', { name: 'Schedule key deletion' });
  await dialog.getByLabel('Waiting period (in days)').fill('7');
  await dialog.getByRole('checkbox').check();
  await dialog.getByRole('button', { name: 'Schedule deletion' }).click();
  await page.getByText('This key is pending deletion').waitFor();

  await t.goto('/keys');
  await waitForKeyTable(page);
  await keyRow(page, soon).waitFor();
  await keyRow(page, later).waitFor();

  // One day on: nothing is due yet.
  let happened = await advance(t, '+1 day');
  assert.match(happened, /Nothing: no key was due/);
  assert.match(await page.getByTestId('sandbox-clock').textContent(), /1 day ahead/);
  await t.shot('clock advanced one day');

  // A key of another Region, due at the same time: "What happened" lists every Region's events.
  const select = page.getByTestId('region-select');
  const home = await select.inputValue();
  const away = home === 'eu-west-1' ? 'eu-central-1' : 'eu-west-1';
  await select.selectOption(away);
  await page.waitForFunction((r) => window.kms && window.kms.region === r, away);
  const elsewhere = await createKeyApi(page, {});
  await page.evaluate((KeyId) => window.kms.send('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 }), elsewhere);
  await select.selectOption(home);
  await page.waitForFunction((r) => window.kms && window.kms.region === r, home);
  await waitForKeyTable(page);

  // Seven more: the 7-day keys are deleted, by KMS, and the key list loses this Region's.
  happened = await advance(t, '+7 days');
  assert.match(happened, /DeleteKey/);
  assert.match(happened, new RegExp(soon));
  assert.match(happened, new RegExp(`DeleteKey.*${elsewhere}.*${away}`, 's'));
  assert.doesNotMatch(happened, new RegExp(later));
  await keyRow(page, soon).waitFor({ state: 'detached' });
  assert.equal(await keyRow(page, later).count(), 1);
  assert.match(await page.getByTestId('sandbox-clock').textContent(), /8 days ahead/);
  await t.shot('key list after seven days');

  // Thirty more: the other one goes too.
  happened = await advance(t, '+30 days');
  assert.match(happened, new RegExp(`DeleteKey.*${later}`, 's'));

  // On the events page: KMS's own DeleteKey events, by "AWS Internal".
  await t.goto('/events?attribute=EventName&value=DeleteKey');
  await waitForEvents(page, (rows) => rows.length === 2 && rows.every((r) => r === 'DeleteKey'));
  const users = await page.locator('[data-testid=events-table] tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(users, ['AWS Internal', 'AWS Internal']);
  await page.locator('[data-testid=events-table] tbody tr').first().getByRole('button', { name: 'DeleteKey' }).click();
  const record = JSON.parse(await page.getByTestId('event-json').textContent());
  assert.equal(record.eventType, 'AwsServiceEvent');
  assert.match(record.resources[0].ARN, new RegExp(later));
  await t.shot('DeleteKey service event');
  await page.keyboard.press('Escape');

  await t.goto('/keys');
  await waitForKeyTable(page);
  assert.equal(await keyRow(page, later).count(), 0);
  await t.done();
});

test('bill page: key-months and requests of this month, per Region, with the free tier and a daily chart', async (tt) => {
  const t = await openConsole(browser, server.url, tt.name);
  const { page } = t;
  await waitForKeyTable(page);
  const keyId = await createKeyApi(page, { alias: 'e2e-billed' });
  await page.evaluate(async (KeyId) => {
    for (let i = 0; i < 5; i++) await window.kms.send('Encrypt', { KeyId, Plaintext: new TextEncoder().encode(`b${i}`) });
  }, keyId);

  await t.goto('/bill');
  const region = page.locator('[data-testid=bill-region][data-region=ap-southeast-2]');
  await region.waitFor();
  const keys = region.locator('[data-testid=bill-line][data-kind=Keys]');
  assert.match(await keys.textContent(), /Customer managed keys/);
  assert.match(await keys.textContent(), /0\.\d{4} key-months/);
  const requests = region.locator('[data-testid=bill-line][data-kind=Requests]');
  const text = await requests.first().textContent();
  assert.match(text, /Symmetric key requests/);
  // Every request so far is free: the free tier column equals the count.
  const [qty, free] = (await requests.first().locator('td.num').allTextContents()).slice(0, 2);
  assert.equal(qty.replace(/ requests?$/, ''), free);
  assert.match(await page.getByTestId('bill-free-tier').textContent(), /[\d,]+ of 20,000 requests/);

  // The page's total is the shell's bill (JS API), to the cent.
  const bill = await page.evaluate(() => window.kms.bill({}));
  const shown = await page.getByTestId('bill-month-total').textContent();
  assert.equal(shown, bill.usd > 0 && bill.usd < 0.005 ? `$${bill.usd.toFixed(4)}` : `$${bill.usd.toFixed(2)}`);
  assert.match(await page.getByTestId('bill-chart').locator('svg').getAttribute('aria-labelledby'), /bill-chart-summary/);
  assert.ok((await page.locator('.bill-chart rect.bar').count()) >= 1);
  await t.shot('bill this month');

  // Last month: nothing yet.
  const options = await page.getByTestId('bill-month').locator('option').evaluateAll((o) => o.map((e) => e.value));
  await page.getByTestId('bill-month').selectOption(options[1]);
  await page.getByText('No charges and no usage in this month.').waitFor();
  await t.shot('bill last month');
  await t.done();
});
