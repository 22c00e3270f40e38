// Symmetric Encrypt and Decrypt through sandbox.send in Node.js, on any `--target web` build of
// kms-web (so that two builds compare: `node tests/bench/node-send.mjs DIR_A` then `... DIR_B`,
// alternating). In-memory sandbox, 100-byte plaintext, sequential awaited calls: a warm-up, then
// rounds, printed as min, median and max; then the process's memory, to tell a fixed cost from
// one that grows with calls. It measures and asserts nothing.
//
//   node tests/bench/node-send.mjs [DIR]   DIR defaults to target/package/wasm
// Environment: BENCH_NODE_N (calls per round, default 10000), BENCH_NODE_ROUNDS (default 7).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = resolve(process.argv[2] ?? `${root}target/package/wasm`);
const N = Number(process.env.BENCH_NODE_N ?? 10000);
const ROUNDS = Number(process.env.BENCH_NODE_ROUNDS ?? 7);

const { initSync, KmsSandbox } = await import(pathToFileURL(`${dir}/kms_web.js`).href);
const wasm = initSync({ module: readFileSync(`${dir}/kms_web_bg.wasm`) });
const kms = await KmsSandbox.memory({ region: 'us-east-1', accountId: '111122223333' });
const KeyId = (await kms.send('CreateKey', {})).KeyMetadata.KeyId;
const Plaintext = new Uint8Array(100).fill(7);
const { CiphertextBlob } = await kms.send('Encrypt', { KeyId, Plaintext });

const calls = {
  Encrypt: () => kms.send('Encrypt', { KeyId, Plaintext }),
  Decrypt: () => kms.send('Decrypt', { CiphertextBlob }),
};
console.log(`sandbox.send in Node.js ${process.version}, ${dir}: ${ROUNDS} rounds of ${N} calls (ops/s)`);
for (const [name, call] of Object.entries(calls)) {
  for (let i = 0; i < 2 * N; i++) await call();
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < N; i++) await call();
    rates.push((N * 1000) / (performance.now() - start));
  }
  rates.sort((a, b) => a - b);
  const n = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`  ${name.padEnd(8)} min ${n(rates[0])}  median ${n(rates[rates.length >> 1])}  max ${n(rates[rates.length - 1])}`);
}
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
const m = process.memoryUsage();
console.log(`  memory: resident ${mb(m.rss)}, JS heap ${mb(m.heapUsed)}, wasm linear memory ${mb(wasm.memory.buffer.byteLength)}`);
