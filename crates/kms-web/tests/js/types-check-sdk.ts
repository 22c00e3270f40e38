// Type-checks that the official AWS SDK for JavaScript v3 accepts `sandbox.requestHandler` as
// its `requestHandler` (tsconfig.sdk.json: the SDK's own declarations need Node's types, which
// are not installed, so library checks are skipped there). Never run, only compiled.
import { KmsSandbox } from "./dist/pkg/kms_web.js";
import { KMSClient, EncryptCommand, type EncryptCommandOutput } from "@aws-sdk/client-kms";

export async function sdkUsage(kms: KmsSandbox): Promise<Uint8Array | undefined> {
  const client = new KMSClient({
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
    requestHandler: kms.requestHandler,
  });
  const out: EncryptCommandOutput = await client.send(new EncryptCommand({ KeyId: "alias/x", Plaintext: new Uint8Array(1) }));
  return out.CiphertextBlob;
}
