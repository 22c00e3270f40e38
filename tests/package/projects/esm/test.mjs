// A fresh Node ES module project with the packed kms-sandbox installed: node --test test.mjs.
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import * as sdk from '@aws-sdk/client-kms';
import * as pkg from 'kms-sandbox';
import { KmsSandbox, kmsClient } from 'kms-sandbox';
import { tests } from './suite.mjs';

const expected = JSON.parse(readFileSync(new URL('./expected-snapshot.json', import.meta.url), 'utf8'));
const ctx = { pkg, sdk, expected, node: true };

test('the package loads as an ES module in Node, and kmsClient imports the SDK itself', async () => {
  const client = await kmsClient(KmsSandbox.memory());
  const { KeyMetadata } = await client.send(new sdk.CreateKeyCommand({}));
  if (!KeyMetadata.KeyId) throw new Error('no key id');
  // The client kmsClient made from the SDK it loaded throws the classes this file imported.
  const error = await client.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/none' })).catch((e) => e);
  if (!(error instanceof sdk.NotFoundException)) throw new Error(`expected an SDK NotFoundException, got ${error}`);
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('kms-sandbox');
  if (cjs.KmsSandbox !== KmsSandbox) throw new Error('import and require gave two KmsSandbox classes');
});
for (const [name, fn] of tests(ctx)) test(name, fn);
test.after(() => {
  if (ctx.snapshot) writeFileSync(new URL('./actual-snapshot.json', import.meta.url), JSON.stringify(ctx.snapshot, null, 2) + '\n');
});
