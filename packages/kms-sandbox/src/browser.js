// kms-sandbox for browsers, bundlers (Vite, webpack, esbuild, Rollup) and plain ES modules: loads
// the WebAssembly next to this file (a URL bundlers recognise and copy) before the module's
// importers run, so `KmsSandbox.memory()` works as soon as the import resolves.
import init from './wasm/kms_web.js';
import { makeHelpers } from './helpers.js';

await init({ module_or_path: new URL('./wasm/kms_web_bg.wasm', import.meta.url) });

export { KmsSandbox, KmsSandboxService, KmsSandboxClock, KmsRequestHandler } from './wasm/kms_web.js';

// A bundle cannot load an optional package it did not see at build time: in a browser,
// kmsClient takes the SDK's class (kmsClient(sandbox, { KMSClient })).
export const { kmsClient, seedKeys, calls } = makeHelpers(() => Promise.reject(new Error(
  'in a browser, pass the class: kmsClient(sandbox, { KMSClient }) with KMSClient imported from @aws-sdk/client-kms',
)));
