// tsc --noEmit (module nodenext, strict): the package's declarations as a TypeScript user sees them.
import { KmsSandbox, kmsClient, seedKeys, calls, type KmsTrailEvent, type Kms, type KmsMemoryOptions } from 'kms-sandbox';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';

export async function usage(): Promise<void> {
  const options: KmsMemoryOptions = { seed: 'x', now: new Date(0), region: 'us-east-1' };
  const sandbox: KmsSandbox = KmsSandbox.memory(options);
  const det: boolean = sandbox.deterministic;
  KmsSandbox.memory({ seed: 42, now: 0 });
  // @ts-expect-error: a seed is a number or a string
  KmsSandbox.memory({ seed: true });
  const client: KMSClient = await kmsClient(sandbox, { region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  await kmsClient(sandbox, { KMSClient });
  await client.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: new Uint8Array([1]) }));
  const ids: string[] = await seedKeys(sandbox, [
    { alias: 'alias/app', keySpec: 'SYMMETRIC_DEFAULT', policy: { Version: '2012-10-17', Statement: [] }, tags: { a: 'b' } },
    { alias: ['alias/x', 'alias/y'], keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', rotation: 90, enabled: false },
  ]);
  // @ts-expect-error: no such key spec
  await seedKeys(sandbox, [{ keySpec: 'AES_128' }]);
  const events: KmsTrailEvent[] = await calls(sandbox, { eventName: 'Encrypt' });
  const name: string = events[0].eventName;
  const { CiphertextBlob } = await sandbox.send('Encrypt', { KeyId: ids[0], Plaintext: 'x' });
  const blob: Uint8Array | undefined = CiphertextBlob;
  const meta: Kms.KeyMetadata | undefined = (await sandbox.send('DescribeKey', { KeyId: ids[0] })).KeyMetadata;
  const later: Date = await sandbox.clock.advance(60);
  void [det, name, blob, meta, later];
}
