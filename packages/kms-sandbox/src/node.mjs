// kms-sandbox for Node.js `import`: the CommonJS build re-exported, so that a program that both
// imports and requires the package gets one WebAssembly instance and one KmsSandbox class.
import cjs from './node.cjs';

export const {
  KmsSandbox, KmsSandboxService, KmsSandboxClock, KmsRequestHandler, kmsClient, seedKeys, calls,
} = cjs;
