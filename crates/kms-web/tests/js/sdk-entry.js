// Entry of the SDK bundle the browser tests import (scripts/test-shell.sh bundles it into
// sdk-bundle.js with esbuild: one self-contained ES module, as wasm-bindgen copies only that
// file into the test page).
import * as kms from "@aws-sdk/client-kms";

/** A real KMSClient whose HTTP goes to `requestHandler` (a KmsSandbox's) instead of AWS. */
export function sdkClient(region, requestHandler) {
  return new kms.KMSClient({
    region,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
    requestHandler,
  });
}

/** `client.send(new <operation>Command(input))`. */
export async function sdkSend(client, operation, input) {
  const Command = kms[`${operation}Command`];
  if (typeof Command !== "function") throw new Error(`@aws-sdk/client-kms has no ${operation}Command`);
  return client.send(new Command(input));
}

/** The SDK's version, to print in the test log. */
export const sdkVersion = "__SDK_VERSION__";
