// Entry of the SDK bundle the browser tests import. scripts/test-shell.sh bundles it with the
// local esbuild (`npm run bundle`) into dist/sdk-bundle.js, one self-contained ES module
// (wasm-bindgen copies only that one file into the test page). dist/ is generated and
// gitignored; tests/browser/common/mod.rs imports it.
import * as kms from "@aws-sdk/client-kms";
import * as iam from "@aws-sdk/client-iam";
import * as sts from "@aws-sdk/client-sts";
import * as cloudtrail from "@aws-sdk/client-cloudtrail";
import * as cloudformation from "@aws-sdk/client-cloudformation";
import sdkPackage from "@aws-sdk/client-kms/package.json";

const SERVICES = {
  kms: [kms, kms.KMSClient],
  iam: [iam, iam.IAMClient],
  sts: [sts, sts.STSClient],
  cloudtrail: [cloudtrail, cloudtrail.CloudTrailClient],
  cloudformation: [cloudformation, cloudformation.CloudFormationClient],
};

/** A real client of `service` ("kms", "iam", "sts", "cloudtrail", "cloudformation") whose HTTP goes to `requestHandler`. */
export function serviceClient(service, region, requestHandler, accessKeyId, secretAccessKey, sessionToken) {
  const [, Client] = SERVICES[service];
  const client = new Client({
    region,
    credentials: {
      accessKeyId: accessKeyId || "x",
      secretAccessKey: secretAccessKey || "y",
      ...(sessionToken ? { sessionToken } : {}),
    },
    requestHandler,
    // One attempt: a sandbox error is the answer, not a reason to retry.
    maxAttempts: 1,
  });
  client.kmsSandboxService = service;
  return client;
}

/** A real KMSClient whose HTTP goes to `requestHandler` (a KmsSandbox's) instead of AWS. */
export function sdkClient(region, requestHandler) {
  return serviceClient("kms", region, requestHandler);
}

/** `client.send(new <operation>Command(input))`. */
export async function sdkSend(client, operation, input) {
  const [module] = SERVICES[client.kmsSandboxService || "kms"];
  const Command = module[`${operation}Command`];
  if (typeof Command !== "function") throw new Error(`the SDK has no ${operation}Command`);
  return client.send(new Command(input));
}

/** The version of @aws-sdk/client-kms in the bundle, to print in the test log. */
export function sdkVersion() {
  return sdkPackage.version;
}
