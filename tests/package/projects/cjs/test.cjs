// A fresh Node CommonJS project with the packed kms-sandbox installed: node --test test.cjs.
const { test, describe, it } = require('node:test');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const sdk = require('@aws-sdk/client-kms');
const pkg = require('kms-sandbox');

const expected = JSON.parse(readFileSync(join(__dirname, 'expected-snapshot.json'), 'utf8'));
const ctx = { pkg, sdk, expected, node: true };

test('the package loads with require in Node', () => {
  for (const name of ['KmsSandbox', 'kmsClient', 'seedKeys', 'calls']) {
    if (typeof pkg[name] !== 'function') throw new Error(`require('kms-sandbox').${name} is ${typeof pkg[name]}`);
  }
  pkg.KmsSandbox.memory();
});
// The shared suite is an ES module; the package under test was loaded by require above.
describe('suite', async () => {
  const { tests } = await import('./suite.mjs');
  for (const [name, fn] of tests(ctx)) it(name, fn);
});
test.after(() => {
  if (ctx.snapshot) writeFileSync(join(__dirname, 'actual-snapshot.json'), JSON.stringify(ctx.snapshot, null, 2) + '\n');
});
