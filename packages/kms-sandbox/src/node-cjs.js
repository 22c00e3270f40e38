// kms-sandbox for Node.js (20+), bundled by the package build into dist/node.cjs (CommonJS, with
// the wasm-bindgen glue inside); dist/node.mjs re-exports it for `import`, so both share one
// WebAssembly instance. The WebAssembly is read from the package's own folder, synchronously.
import { initSync, KmsSandbox, KmsSandboxService, KmsSandboxClock, KmsRequestHandler } from './wasm/kms_web.js';
import { makeHelpers } from './helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Node.js 20+ has the Web Crypto API as globalThis.crypto; a test runner's sandboxed global (a vm
// context) may lack it: lend it Node's.
if (typeof globalThis.crypto?.getRandomValues !== 'function' || !globalThis.crypto.subtle) {
  // eslint-disable-next-line no-undef
  const { webcrypto } = require('node:crypto');
  if (!webcrypto?.subtle) throw new Error('kms-sandbox needs the Web Crypto API (Node.js 20 or later)');
  Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true, writable: true });
}

// `__dirname` is dist/ once bundled as CommonJS.
// eslint-disable-next-line no-undef
initSync({ module: readFileSync(join(__dirname, 'wasm', 'kms_web_bg.wasm')) });

// Node.js has no IndexedDB: say so, and what to use instead, rather than fail deep inside. A
// program that installs one as globalThis.indexedDB (fake-indexeddb/auto) gets the real methods.
function needsIndexedDb(method, original) {
  return function (...args) {
    if (globalThis.indexedDB === undefined) {
      return Promise.reject(new Error(
        `KmsSandbox.${method} stores sandboxes in IndexedDB, which Node.js does not have. `
        + 'Use KmsSandbox.memory() (everything in memory, nothing persisted; add { seed } for a deterministic sandbox), '
        + 'or install an IndexedDB implementation as globalThis.indexedDB first.',
      ));
    }
    return original.apply(this, args);
  };
}
for (const method of ['open', 'list', 'delete', 'import']) {
  KmsSandbox[method] = needsIndexedDb(method, KmsSandbox[method]);
}

// `require`, not `import()`: it works in every CommonJS host, Jest's module registry included
// (whose dynamic import needs --experimental-vm-modules), and finds the SDK's CommonJS build.
// eslint-disable-next-line no-undef
const helpers = makeHelpers(async () => require('@aws-sdk/client-kms'));
export const { kmsClient, seedKeys, calls } = helpers;
export { KmsSandbox, KmsSandboxService, KmsSandboxClock, KmsRequestHandler };
