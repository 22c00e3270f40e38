// `npm pack` / `npm publish` run this first (prepack): refuse to pack a package that was not built.
import { existsSync } from 'node:fs';
const missing = ['node.cjs', 'node.mjs', 'browser.js', 'helpers.js', 'kms-sandbox.d.ts', 'kms-sandbox.d.cts',
  'wasm/kms_web.js', 'wasm/kms_web_bg.wasm'].filter((f) => !existsSync(new URL(`../dist/${f}`, import.meta.url)));
if (missing.length) {
  console.error(`kms-sandbox: dist/ is incomplete (${missing.join(', ')}): run scripts/build-package.sh first`);
  process.exit(1);
}
