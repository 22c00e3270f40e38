// The npm package in Node.js: Encrypt calls per second through the official @aws-sdk/client-kms
// (kmsClient(sandbox)) and through sandbox.send, on an in-memory sandbox, sequential and awaited,
// 100-byte plaintext; and the SDK's own ceiling (the same client with a handler that answers a
// fixed response at once). Run by scripts/bench.sh after scripts/build-package.sh; it measures
// and asserts nothing.
//
// Environment: BENCH_NODE_N (calls per measurement, default 5000; BENCH_QUICK=1: 1000),
// BENCH_NODE_ROUNDS (default 3; the best round is reported; the SDK rows alternate with the
// ceiling for at least 5 rounds, and each round's share of the ceiling is printed), BENCH_NODE_HISTORY (calls made
// before the "after ... calls" row, default 100000; BENCH_QUICK=1: 20000).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PKG = fileURLToPath(new URL('../../packages/kms-sandbox/', import.meta.url));
const { KmsSandbox, kmsClient, seedKeys } = await import(`${PKG}dist/node.mjs`);
// The SDK the package resolves (its devDependency, as a user's project would have it).
const sdk = createRequire(`${PKG}dist/node.cjs`)('@aws-sdk/client-kms');

const quick = process.env.BENCH_QUICK === '1';
const N = Number(process.env.BENCH_NODE_N ?? (quick ? 1000 : 5000));
const ROUNDS = Number(process.env.BENCH_NODE_ROUNDS ?? 3);
const HISTORY = Number(process.env.BENCH_NODE_HISTORY ?? (quick ? 20000 : 100000));
const plaintext = new Uint8Array(100).fill(7);

async function best(fn) {
  await fn(Math.min(200, N)); // warm-up
  let top = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    await fn(N);
    top = Math.max(top, N / ((performance.now() - start) / 1000));
  }
  return top;
}

const sandbox = KmsSandbox.memory({ region: 'us-east-1' });
const [keyId] = await seedKeys(sandbox, [{ alias: 'alias/bench' }]);
const client = await kmsClient(sandbox);
const encrypt = new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext });

// The SDK alone: the same client configuration, a handler that answers a canned Encrypt response.
const canned = new TextEncoder().encode(JSON.stringify({
  CiphertextBlob: Buffer.from(new Uint8Array(184)).toString('base64'), KeyId: keyId, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
}));
const ceilingClient = new sdk.KMSClient({
  region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  requestHandler: {
    handle: async () => ({ response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: canned } }),
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  },
});

// The handler and the ceiling in alternating rounds, so that a change in the machine's speed
// falls on both: each round's ratio is of two neighbouring measurements.
async function rate(c, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await c.send(encrypt);
  return n / ((performance.now() - start) / 1000);
}
await rate(client, Math.min(200, N));
await rate(ceilingClient, Math.min(200, N));
const paired = [];
for (let r = 0; r < Math.max(ROUNDS, 5); r++) paired.push([await rate(client, N), await rate(ceilingClient, N)]);
const viaSdk = Math.max(...paired.map((p) => p[0]));
const ceiling = Math.max(...paired.map((p) => p[1]));
const ratios = paired.map(([a, b]) => a / b).sort((a, b) => a - b);

const viaSend = await best(async (n) => {
  for (let i = 0; i < n; i++) await sandbox.send('Encrypt', { KeyId: keyId, Plaintext: plaintext });
});
// Where the handler's cost goes: the same handler replaying one captured request on its own,
// and a ceiling client whose handler first awaits a plain sandbox.send (the sandbox's work placed
// between the SDK's, with no request to read or answer to write).
let captured;
const capture = new sdk.KMSClient({
  region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  requestHandler: { handle: (r) => { captured = r; return sandbox.requestHandler.handle(r); }, updateHttpClientConfig() {}, httpHandlerConfigs: () => ({}) },
});
await capture.send(encrypt);
const replay = await best(async (n) => {
  for (let i = 0; i < n; i++) await sandbox.requestHandler.handle(captured);
});
const sendThenCanned = new sdk.KMSClient({
  region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  requestHandler: {
    handle: async () => {
      await sandbox.send('Encrypt', { KeyId: keyId, Plaintext: plaintext });
      return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: canned } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  },
});
const viaSendBetween = await best((n) => rate(sendThenCanned, n));

sandbox.trailEnabled = false;
const viaSdkNoTrail = await best(async (n) => {
  for (let i = 0; i < n; i++) await client.send(encrypt);
});

// A long test suite: the same calls once the history holds HISTORY events (an in-memory sandbox
// keeps up to 100,000), and the process's memory then.
const full = KmsSandbox.memory({ region: 'us-east-1' });
const [fullKey] = await seedKeys(full, [{}]);
for (let i = 0; i < HISTORY; i++) await full.send('Encrypt', { KeyId: fullKey, Plaintext: plaintext });
const viaSendFull = await best(async (n) => {
  for (let i = 0; i < n; i++) await full.send('Encrypt', { KeyId: fullKey, Plaintext: plaintext });
});
const rssMb = process.memoryUsage().rss / 1e6;

const sdkVersion = createRequire(`${PKG}dist/node.cjs`)('@aws-sdk/client-kms/package.json').version;
console.log(`\nkms-sandbox in Node.js ${process.version}: Encrypt, 100-byte plaintext, in-memory sandbox, `
  + `${N} sequential awaited calls, best of ${ROUNDS} (@aws-sdk/client-kms ${sdkVersion})`);
const rows = [
  ['KMSClient (kmsClient(sandbox)) -> sandbox', viaSdk],
  ['KMSClient -> sandbox, trailEnabled = false', viaSdkNoTrail],
  ['sandbox.send (no SDK)', viaSend],
  [`sandbox.send, after ${HISTORY.toLocaleString('en-US')} calls in its history`, viaSendFull],
  ['KMSClient -> canned response (SDK ceiling)', ceiling],
  ['KMSClient -> sandbox.send, then the canned response', viaSendBetween],
  ['requestHandler.handle replaying one request (no SDK)', replay],
];
for (const [name, ops] of rows) console.log(`  ${name.padEnd(52)} ${Math.round(ops).toLocaleString('en-US').padStart(9)} ops/s`);
const pct = (x) => `${(100 * x).toFixed(0)}%`;
console.log(`  KMSClient -> sandbox as a share of the ceiling, ${paired.length} alternating rounds: `
  + `min ${pct(ratios[0])}, median ${pct(ratios[ratios.length >> 1])}, max ${pct(ratios.at(-1))}`);
console.log(`  (process memory after the long history: ${rssMb.toFixed(0)} MB resident)`);
