// Entry of the SDK bundle the browser tests import. scripts/test-shell.sh bundles it with the
// local esbuild (`npm run bundle`) into dist/sdk-bundle.js, one self-contained ES module
// (wasm-bindgen copies only that one file into the test page). dist/ is generated and
// gitignored; tests/sdk.rs imports it.
import * as kms from "@aws-sdk/client-kms";
import sdkPackage from "@aws-sdk/client-kms/package.json";

/** A real KMSClient whose HTTP goes to `requestHandler` (a KmsSandbox's) instead of AWS. */
export function sdkClient(region, requestHandler) {
  return new kms.KMSClient({
    region,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
    requestHandler,
    // One attempt: a sandbox error is the answer, not a reason to retry.
    maxAttempts: 1,
  });
}

/** `client.send(new <operation>Command(input))`. */
export async function sdkSend(client, operation, input) {
  const Command = kms[`${operation}Command`];
  if (typeof Command !== "function") throw new Error(`@aws-sdk/client-kms has no ${operation}Command`);
  return client.send(new Command(input));
}

/** The version of @aws-sdk/client-kms in the bundle, to print in the test log. */
export function sdkVersion() {
  return sdkPackage.version;
}
