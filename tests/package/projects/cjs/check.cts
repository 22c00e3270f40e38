// tsc --noEmit (module nodenext, strict) of a CommonJS file: require('kms-sandbox') is typed.
import pkg = require('kms-sandbox');
const sandbox: pkg.KmsSandbox = pkg.KmsSandbox.memory({ seed: 1 });
export const ids: Promise<string[]> = pkg.seedKeys(sandbox, [{ alias: 'alias/app' }]);
