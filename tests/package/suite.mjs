// The suite every test project of the packed kms-sandbox runs (Node ESM, Node CommonJS, a
// Vite-built page in Chromium): the official @aws-sdk/client-kms against the package's sandbox.
// It has its own small assertions so that it runs the same under node:test and in a page.
//
// tests(ctx) returns [name, async fn] pairs; ctx = { pkg, sdk, expected, node }: the package's
// exports, the SDK module, the committed snapshot (tests/package/expected-snapshot.json) and
// whether it runs in Node.js. The 'deterministic snapshot' test leaves its snapshot in
// ctx.snapshot for the runner to report.

export const SNAPSHOT_SEED = 'kms-sandbox package snapshot';
export const SNAPSHOT_NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

const utf8 = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);
const b64 = (bytes) => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

function fail(message) {
  throw new Error(message);
}
const assert = {
  ok: (v, m) => v || fail(m ?? `expected a truthy value, got ${v}`),
  equal: (a, b, m) => Object.is(a, b) || fail(`${m ?? 'not equal'}: ${JSON.stringify(a)} !== ${JSON.stringify(b)}`),
  notEqual: (a, b, m) => !Object.is(a, b) || fail(`${m ?? 'equal'}: ${JSON.stringify(a)}`),
  deepEqual(a, b, m) {
    const [x, y] = [JSON.stringify(a, null, 1), JSON.stringify(b, null, 1)];
    if (x !== y) fail(`${m ?? 'not deep-equal'}:\n actual:   ${x}\n expected: ${y}`);
  },
  async rejects(promise, check, m) {
    let error;
    try {
      await promise;
    } catch (e) {
      error = e;
    }
    if (!error) fail(`${m ?? 'expected a rejection'}: it resolved`);
    check(error);
    return error;
  },
};

/** A deterministic scenario through the SDK; the same seed must give the same snapshot. */
export async function scenario({ pkg, sdk }, seed) {
  const sandbox = pkg.KmsSandbox.memory({ seed, now: SNAPSHOT_NOW, region: 'us-east-1' });
  assert.equal(sandbox.deterministic, true, 'sandbox.deterministic');
  const client = await pkg.kmsClient(sandbox, { KMSClient: sdk.KMSClient });
  // (No RSA key: a seeded sandbox makes RSA keys in WebAssembly, seconds each on a busy machine.)
  const keyIds = await pkg.seedKeys(sandbox, [
    { alias: 'alias/app', tags: { team: 'payments' } },
    { alias: 'alias/sign', keySpec: 'ECC_NIST_P256' },
  ]);
  const enc = await client.send(new sdk.EncryptCommand({
    KeyId: 'alias/app', Plaintext: utf8('hello'), EncryptionContext: { order: '42' },
  }));
  const dataKey = await client.send(new sdk.GenerateDataKeyCommand({ KeyId: keyIds[0], KeySpec: 'AES_256' }));
  const grant = await client.send(new sdk.CreateGrantCommand({
    KeyId: keyIds[0], GranteePrincipal: 'arn:aws:iam::111122223333:root', Operations: ['Decrypt'],
  }));
  const pub = await client.send(new sdk.GetPublicKeyCommand({ KeyId: 'alias/sign' }));
  const signed = await client.send(new sdk.SignCommand({
    KeyId: 'alias/sign', Message: utf8('m'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256',
  }));
  const missing = await assert.rejects(client.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/missing' })),
    (e) => assert.equal(e.name, 'NotFoundException'));
  await sandbox.clock.advance(3600);
  const { KeyMetadata } = await client.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/app' }));
  const events = await pkg.calls(sandbox);
  return {
    keyIds,
    ciphertext: b64(enc.CiphertextBlob),
    encryptRequestId: enc.$metadata.requestId,
    dataKeyCiphertext: b64(dataKey.CiphertextBlob),
    grantId: grant.GrantId,
    grantTokenStart: grant.GrantToken.slice(0, 24),
    eccPublicKeySha256: hex(await crypto.subtle.digest('SHA-256', pub.PublicKey)),
    signature: b64(signed.Signature),
    notFoundRequestId: missing.$metadata.requestId,
    creationDate: KeyMetadata.CreationDate.toISOString(),
    now: sandbox.clock.now().toISOString(),
    events: events.map((e) => [e.eventName, e.eventTime, e.eventID, e.requestID ?? null, e.errorCode ?? null]),
  };
}

export function tests(ctx) {
  const { pkg, sdk } = ctx;
  return [
    ['create a key and an alias, describe it by alias', async () => {
      const sandbox = pkg.KmsSandbox.memory({ region: 'eu-west-1' });
      const client = await pkg.kmsClient(sandbox, { KMSClient: sdk.KMSClient });
      const { KeyMetadata } = await client.send(new sdk.CreateKeyCommand({
        Description: 'app key', Tags: [{ TagKey: 'team', TagValue: 'payments' }],
      }));
      assert.equal(KeyMetadata.KeySpec, 'SYMMETRIC_DEFAULT');
      assert.ok(KeyMetadata.Arn.startsWith('arn:aws:kms:eu-west-1:111122223333:key/'), KeyMetadata.Arn);
      await client.send(new sdk.CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: KeyMetadata.KeyId }));
      const described = await client.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/app' }));
      assert.equal(described.KeyMetadata.KeyId, KeyMetadata.KeyId);
      assert.equal(described.KeyMetadata.Description, 'app key');
      assert.ok(described.KeyMetadata.CreationDate instanceof Date, 'CreationDate is a Date');
      const { Aliases } = await client.send(new sdk.ListAliasesCommand({ KeyId: KeyMetadata.KeyId }));
      assert.deepEqual(Aliases.map((a) => a.AliasName), ['alias/app']);
      // CloudTrail records the SDK's User-Agent: in Node.js the whole header, where the SDK puts
      // its os, lang and api parts (a browser sends only x-amz-user-agent).
      const { Events } = await sandbox.service('cloudtrail').send('LookupEvents', {
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }],
      });
      const agent = JSON.parse(Events[0].CloudTrailEvent).userAgent;
      assert.ok(agent.startsWith('aws-sdk-js/'), agent);
      if (typeof process !== 'undefined' && process.versions?.node) assert.ok(/ lang\/js/.test(agent), agent);
    }],

    ['the request handler: aborts in flight, and services it does not have', async () => {
      const sandbox = pkg.KmsSandbox.memory();
      const handler = sandbox.requestHandler;
      const request = (service, target) => ({
        method: 'POST', protocol: 'https:', hostname: `${service}.us-east-1.amazonaws.com`, path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target,
          authorization: `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: '{}',
      });
      const rejection = async (promise) => {
        try {
          await promise;
        } catch (e) {
          return e;
        }
        fail('expected a rejection');
      };
      // An abort after the call started rejects it, as the SDK's own handlers do.
      const controller = new AbortController();
      const inFlight = handler.handle(request('kms', 'TrentService.ListKeys'), { abortSignal: controller.signal });
      controller.abort('stop');
      const aborted = await rejection(inFlight);
      assert.equal(aborted.name, 'AbortError');
      assert.equal(aborted.message, 'stop');
      const reason = new Error('gone');
      const early = await rejection(handler.handle(request('kms', 'TrentService.ListKeys'), { abortSignal: AbortSignal.abort(reason) }));
      assert.equal(early.name, 'AbortError');
      assert.equal(early.cause, reason);
      // A Secrets Manager request is not answered, nor recorded, as KMS.
      const before = (await pkg.calls(sandbox)).length;
      const foreign = await rejection(handler.handle(request('secretsmanager', 'secretsmanager.GetSecretValue'), {}));
      assert.equal(foreign.name, 'UnsupportedServiceError');
      assert.equal((await pkg.calls(sandbox)).length, before);
    }],

    ['encrypt and decrypt with an encryption context', async () => {
      const sandbox = pkg.KmsSandbox.memory();
      const client = await pkg.kmsClient(sandbox, { KMSClient: sdk.KMSClient });
      const [keyId] = await pkg.seedKeys(sandbox, [{ alias: 'alias/orders' }]);
      const context = { tenant: 'acme', purpose: 'test' };
      const enc = await client.send(new sdk.EncryptCommand({
        KeyId: 'alias/orders', Plaintext: utf8('card 4111'), EncryptionContext: context,
      }));
      assert.ok(enc.KeyId.endsWith(keyId), enc.KeyId);
      const dec = await client.send(new sdk.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }));
      assert.equal(text(dec.Plaintext), 'card 4111');
      assert.equal(dec.KeyId, enc.KeyId);
      await assert.rejects(
        client.send(new sdk.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'other' } })),
        (e) => {
          assert.equal(e.name, 'InvalidCiphertextException');
          assert.ok(e instanceof sdk.InvalidCiphertextException, 'an SDK InvalidCiphertextException');
        },
      );
    }],

    ['one input means the same through send and the SDK: a number timestamp is epoch seconds; a name that is not a string is a TypeError', async () => {
      const sandbox = pkg.KmsSandbox.memory();
      const client = await pkg.kmsClient(sandbox, { KMSClient: sdk.KMSClient });
      const validTo = Math.floor(sandbox.clock.now().getTime() / 1000) + 86400;
      // Imports material with ValidTo given as a number, through `send` or the SDK.
      const importWith = async (importMaterial) => {
        const { KeyMetadata } = await sandbox.send('CreateKey', { Origin: 'EXTERNAL' });
        const params = await sandbox.send('GetParametersForImport', {
          KeyId: KeyMetadata.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048',
        });
        const wrappingKey = await crypto.subtle.importKey('spki', params.PublicKey,
          { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
        const material = crypto.getRandomValues(new Uint8Array(32));
        const wrapped = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrappingKey, material));
        await importMaterial({
          KeyId: KeyMetadata.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped,
          ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo,
        });
        return (await sandbox.send('DescribeKey', { KeyId: KeyMetadata.KeyId })).KeyMetadata.ValidTo.getTime();
      };
      const viaSend = await importWith((input) => sandbox.send('ImportKeyMaterial', input));
      const viaSdk = await importWith((input) => client.send(new sdk.ImportKeyMaterialCommand(input)));
      assert.equal(viaSend, validTo * 1000, 'send reads the number as seconds');
      assert.equal(viaSdk, viaSend, 'the SDK reads it alike');
      // An error AWS answers without a message reads the same through both.
      const garbage = { CiphertextBlob: new Uint8Array(10) };
      const viaSendError = await assert.rejects(sandbox.send('Decrypt', garbage), () => {});
      const viaSdkError = await assert.rejects(client.send(new sdk.DecryptCommand(garbage)), () => {});
      assert.equal(viaSendError.name, 'InvalidCiphertextException');
      assert.equal(viaSendError.name, viaSdkError.name);
      assert.equal(viaSendError.message, viaSdkError.message);

      // wasm-bindgen strings trust their caller: these once read wasm memory out of bounds.
      const keys = (await sandbox.send('ListKeys', {})).Keys.length;
      await assert.rejects(sandbox.send(5, {}), (e) => assert.ok(e instanceof TypeError, String(e)));
      await assert.rejects(sandbox.service('iam').send({}, {}), (e) => assert.ok(e instanceof TypeError, String(e)));
      for (const call of [() => sandbox.service(5), () => sandbox.as(5), () => sandbox.explain(null, {})]) {
        let error;
        try { call(); } catch (e) { error = e; }
        assert.ok(error instanceof TypeError, `${call}: ${error}`);
      }
      // The sandbox is whole afterwards.
      assert.equal((await sandbox.send('ListKeys', {})).Keys.length, keys);
    }],

    ['an unknown alias is a NotFoundException', async () => {
      const client = await pkg.kmsClient(pkg.KmsSandbox.memory(), { KMSClient: sdk.KMSClient });
      await assert.rejects(client.send(new sdk.EncryptCommand({ KeyId: 'alias/nope', Plaintext: utf8('x') })), (e) => {
        assert.equal(e.name, 'NotFoundException');
        assert.ok(e instanceof sdk.NotFoundException, 'an SDK NotFoundException');
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.ok(/alias\/nope/.test(e.message), e.message);
      });
    }],

    ['seedKeys and calls: what the code under test called', async () => {
      const sandbox = pkg.KmsSandbox.memory();
      const ids = await pkg.seedKeys(sandbox, [
        { alias: 'alias/data' },
        { alias: ['alias/sign', 'alias/sign-2'], keySpec: 'ECC_NIST_P256', description: 'signing' },
        { alias: 'mac', keySpec: 'HMAC_256', tags: { team: 'x' }, enabled: false },
      ]);
      assert.equal(ids.length, 3);
      const client = await pkg.kmsClient(sandbox, { KMSClient: sdk.KMSClient });
      const signed = await client.send(new sdk.SignCommand({
        KeyId: 'alias/sign', Message: utf8('m'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256',
      }));
      assert.ok(signed.Signature.length > 60, 'a DER signature');
      const mac = await client.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/mac' }));
      assert.equal(mac.KeyMetadata.Enabled, false);
      const created = await pkg.calls(sandbox, { eventName: 'CreateKey' });
      assert.deepEqual(created.map((e) => e.responseElements.keyMetadata.keyId), ids);
      const all = await pkg.calls(sandbox);
      const names = all.map((e) => e.eventName);
      assert.deepEqual(names, ['CreateKey', 'CreateAlias', 'CreateKey', 'CreateAlias', 'CreateAlias', 'CreateKey',
        'CreateAlias', 'DisableKey', 'Sign', 'DescribeKey']);
      const sign = all.find((e) => e.eventName === 'Sign');
      assert.equal(sign.requestParameters.keyId, 'alias/sign');
      assert.equal(sign.eventSource, 'kms.amazonaws.com');
      assert.ok(sign.requestID, 'the request id');
    }],

    ['deterministic: the same seed gives the same ids and ciphertexts', async () => {
      const a = await scenario(ctx, 'repeat');
      const b = await scenario(ctx, 'repeat');
      assert.deepEqual(a, b, 'two sandboxes of one seed');
      const c = await scenario(ctx, 'another seed');
      assert.notEqual(c.keyIds[0], a.keyIds[0], 'another seed, another key id');
      assert.notEqual(c.ciphertext, a.ciphertext, 'another seed, another ciphertext');
      const random = pkg.KmsSandbox.memory();
      assert.equal(random.deterministic, false, 'off by default');
    }],

    ['deterministic snapshot equals the committed one', async () => {
      const snapshot = await scenario(ctx, SNAPSHOT_SEED);
      ctx.snapshot = snapshot;
      if (ctx.expected === null) fail('no committed snapshot (tests/package/expected-snapshot.json)');
      assert.deepEqual(snapshot, ctx.expected, 'snapshot');
    }],

    [ctx.node ? 'KmsSandbox.open without IndexedDB says what to use' : 'KmsSandbox.open stores in IndexedDB', async () => {
      if (ctx.node) {
        await assert.rejects(pkg.KmsSandbox.open('app'), (e) => {
          assert.ok(/IndexedDB/.test(e.message) && /KmsSandbox\.memory\(\)/.test(e.message), e.message);
        });
        return;
      }
      await pkg.KmsSandbox.delete('package-test');
      const stored = await pkg.KmsSandbox.open('package-test');
      assert.equal(stored.persistent, true);
      const [keyId] = await pkg.seedKeys(stored, [{ alias: 'alias/kept' }]);
      const again = await pkg.KmsSandbox.open('package-test');
      const { KeyMetadata } = await again.send('DescribeKey', { KeyId: 'alias/kept' });
      assert.equal(KeyMetadata.KeyId, keyId);
      // The event history, written to and read back from IndexedDB.
      await stored.flushEvents();
      const created = await pkg.calls(again, { eventName: 'CreateKey' });
      assert.deepEqual(created.map((e) => e.responseElements.keyMetadata.keyId), [keyId]);
      assert.ok((await pkg.KmsSandbox.list()).includes('package-test'));
      await assert.rejects(pkg.KmsSandbox.open('x', { seed: 1 }), (e) => assert.equal(e.name, 'ValidationException'));
    }],
  ];
}
