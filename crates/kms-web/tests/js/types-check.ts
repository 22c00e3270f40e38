// Type-checks the TypeScript declarations wasm-pack emits for kms-web (dist/pkg/kms_web.d.ts,
// built by scripts/test-shell.sh) against the way the README uses the API, with `tsc --noEmit`
// under `strict` (tsconfig.json; types-check-sdk.ts checks the AWS SDK side). Lines marked @ts-expect-error must NOT type-check: they prove the types are
// precise rather than `any`. Never run, only compiled.
import init, { KmsSandbox, type Kms, type KmsServiceError, type KmsErrorName, type KmsBill } from "./dist/pkg/kms_web.js";

export async function usage(): Promise<void> {
  await init();

  // open / memory / list / delete, with and without their optional arguments.
  const kms: KmsSandbox = await KmsSandbox.open("demo", { region: "us-east-1" });
  const byDefault: Promise<KmsSandbox> = KmsSandbox.open();
  const mem: KmsSandbox = KmsSandbox.memory();
  const mem2: KmsSandbox = KmsSandbox.memory({ region: "eu-west-1", accountId: "111122223333" });
  const names: string[] = await KmsSandbox.list();
  const deleted: void = await KmsSandbox.delete("demo");
  const props: [string, string, string, boolean] = [kms.name, kms.region, kms.accountId, kms.persistent];
  // @ts-expect-error: options are an object of strings
  KmsSandbox.memory({ region: 5 });
  // Deterministic in-memory sandboxes: a seed (number or string) and a fixed clock.
  const seeded: KmsSandbox = KmsSandbox.memory({ seed: "tests", now: new Date(0), region: "eu-west-1" });
  KmsSandbox.memory({ seed: 42, now: 0 });
  const isDeterministic: boolean = seeded.deterministic;
  // @ts-expect-error: a seed is a number or a string
  KmsSandbox.memory({ seed: true });
  // @ts-expect-error: now is a Date or milliseconds
  KmsSandbox.memory({ now: "2025-01-01" });
  // @ts-expect-error: a stored sandbox is never deterministic
  KmsSandbox.open("demo", { seed: 1 });
  void isDeterministic;
  // @ts-expect-error: delete needs a name
  KmsSandbox.delete();

  // send: inputs and outputs typed per operation.
  const { KeyMetadata } = await kms.send("CreateKey", {});
  const keyId: string | undefined = KeyMetadata?.KeyId;
  const created: Date | undefined = KeyMetadata?.CreationDate;
  const spec: Kms.KeyMetadata["KeySpec"] = KeyMetadata?.KeySpec;
  const enc = await kms.send("Encrypt", { KeyId: keyId!, Plaintext: new TextEncoder().encode("hello") });
  const blob: Uint8Array | undefined = enc.CiphertextBlob;
  const status: number | undefined = enc.$metadata.httpStatusCode;
  const dec = await kms.send("Decrypt", { CiphertextBlob: blob!, EncryptionContext: { a: "b" } });
  const plain: Uint8Array | undefined = dec.Plaintext;
  await kms.send("Encrypt", { KeyId: "alias/x", Plaintext: "a string is its UTF-8 bytes" });
  await kms.send("ListKeys");
  await mem.send("ScheduleKeyDeletion", { KeyId: "k", PendingWindowInDays: 7 });
  // @ts-expect-error: no such operation
  await kms.send("EncryptEverything", {});
  // @ts-expect-error: KeyId is a string
  await kms.send("Encrypt", { KeyId: 5, Plaintext: "x" });
  // @ts-expect-error: Plaintext is required
  await kms.send("Encrypt", { KeyId: "k" });
  // @ts-expect-error: outputs carry blobs as Uint8Array, not strings
  const wrong: string | undefined = dec.Plaintext;
  // @ts-expect-error: KeySpec is an enum
  await kms.send("CreateKey", { KeySpec: "AES_999" });
  // A list of enum values is a list, of those values only.
  await kms.send("CreateGrant", { KeyId: "k", GranteePrincipal: "arn:aws:iam::111122223333:user/dev", Operations: ["Encrypt", "Decrypt"] });
  const algorithms: Kms.KeyMetadata["EncryptionAlgorithms"] = KeyMetadata?.EncryptionAlgorithms;
  const firstAlgorithm: string | undefined = algorithms?.[0];
  // @ts-expect-error: Operations is a list, not one operation
  await kms.send("CreateGrant", { KeyId: "k", GranteePrincipal: "arn:aws:iam::111122223333:user/dev", Operations: "Encrypt" });
  // @ts-expect-error: a grant operation is one of GrantOperation's values
  await kms.send("CreateGrant", { KeyId: "k", GranteePrincipal: "arn:aws:iam::111122223333:user/dev", Operations: ["Encrypt", "Obliterate"] });

  // Principals and the other services of the account.
  const dev: KmsSandbox = kms.as("arn:aws:iam::111122223333:user/dev");
  const session: KmsSandbox = kms.as("arn:aws:iam::111122223333:role/reader", "s1");
  const who: string = dev.principal;
  await dev.send("Encrypt", { KeyId: "alias/x", Plaintext: "x" });
  const iamOut: any = await kms.service("iam").send("CreateUser", { UserName: "dev" });
  const serviceName: string = session.service("sts").name;
  const [decision] = dev.explain("Decrypt", { CiphertextBlob: new Uint8Array(8) });
  const allowed: boolean = decision.Allowed;
  const why: string = decision.Why;
  const now: Date = kms.clock.now();
  const later: Date = await kms.clock.advance(86_400);
  // The CloudTrail event history.
  const history: any = await kms.service("cloudtrail").send("LookupEvents", { MaxResults: 5 });
  const flushed: void = await kms.flushEvents();
  const recording: boolean = kms.trailEnabled;
  // The bill.
  const bill: KmsBill = kms.bill({ year: 2026, month: 11 });
  const thisMonth: number = kms.bill().usd;
  const lineKind: "Keys" | "Rotations" | "Requests" = bill.regions[0].lineItems[0].kind;
  // @ts-expect-error the month is a number
  kms.bill({ month: "November" });
  // Durability: damaged records, storage, other tabs' changes.
  const damaged: { storageKey: string; keyId?: string; region?: string; reason: string }[] = kms.damaged();
  const storage: { persisted: boolean | null; usage: number | null; quota: number | null } = await kms.storage();
  kms.onchange = ({ keys }) => { const first: string | undefined = keys[0]; };
  kms.onchange = null;
  // @ts-expect-error: onchange takes a function
  kms.onchange = 5;
  kms.trailEnabled = false;
  // @ts-expect-error: trailEnabled is a boolean
  kms.trailEnabled = "no";
  // @ts-expect-error: as needs a principal ARN
  kms.as();

  // Backups: one file out, a new sandbox in.
  const file: Uint8Array = await kms.export({ passphrase: "pass" });
  const restored: KmsSandbox = await KmsSandbox.import("copy", file, { passphrase: "pass", replace: true, region: "us-east-1" });
  await KmsSandbox.import("copy2", file.buffer as ArrayBuffer, { passphrase: "" });
  // @ts-expect-error: export needs a passphrase
  await kms.export();
  // @ts-expect-error: replace is a boolean
  await KmsSandbox.import("copy", file, { passphrase: "pass", replace: "yes" });
  void restored;

  // Errors: name is one of KMS's error types.
  try {
    await kms.send("DescribeKey", { KeyId: "alias/none" });
  } catch (e) {
    const err = e as KmsServiceError;
    const name: KmsErrorName = err.name;
    const fault: "client" | "server" = err.$fault;
    void [name, fault];
  }

  const handled = await kms.requestHandler.handle({ headers: { "x-amz-target": "TrentService.ListKeys" }, body: "{}" });
  const code: number = handled.response.statusCode;
  const body: Uint8Array = handled.response.body;
  void [byDefault, mem2, names, deleted, props, created, spec, status, plain, wrong, code, body];
  void [history, flushed, recording];
}
