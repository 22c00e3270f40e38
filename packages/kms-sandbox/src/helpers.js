// Test helpers of the kms-sandbox package, shared by its Node and browser entries. They use only
// the public KmsSandbox API (send, service, requestHandler), so they work on any sandbox handle,
// including one from `sandbox.as(...)`.

/**
 * Placeholder credentials: an access key id the sandbox did not issue acts as the account root.
 * A new object for each client: the SDK writes its own bookkeeping into the credentials it gets.
 */
const placeholderCredentials = () => ({
  accessKeyId: 'AKIAKMSSANDBOXTEST00',
  secretAccessKey: 'kms-sandbox-placeholder-secret',
});

function checkSandbox(sandbox, helper) {
  if (sandbox === null || typeof sandbox !== 'object' || typeof sandbox.send !== 'function'
    || typeof sandbox.service !== 'function') {
    throw new TypeError(`${helper}: the first argument must be a KmsSandbox (KmsSandbox.memory() or KmsSandbox.open(...))`);
  }
}

/** The KeyUsage AWS requires for a key spec when none is given. */
function defaultKeyUsage(keySpec) {
  if (keySpec.startsWith('HMAC_')) return 'GENERATE_VERIFY_MAC';
  if (keySpec.startsWith('ECC_')) return 'SIGN_VERIFY';
  return 'ENCRYPT_DECRYPT';
}

function tagList(tags) {
  if (tags === undefined || tags === null) return undefined;
  if (Array.isArray(tags)) return tags;
  return Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue: String(TagValue) }));
}

/**
 * The helpers, given how to load `@aws-sdk/client-kms` when `kmsClient` is not handed its class.
 * @param {() => Promise<{ KMSClient: any }>} loadSdk
 */
export function makeHelpers(loadSdk) {
  async function kmsClient(sandbox, options = {}) {
    checkSandbox(sandbox, 'kmsClient');
    const { KMSClient: given, region, credentials, ...config } = options ?? {};
    let KMSClient = given;
    if (KMSClient === undefined) {
      let sdk;
      try {
        sdk = await loadSdk();
      } catch (cause) {
        const e = new Error(`kmsClient could not load @aws-sdk/client-kms (${cause && cause.message}). `
          + "Install it (npm install -D @aws-sdk/client-kms), or pass its class: kmsClient(sandbox, { KMSClient }).");
        e.cause = cause;
        throw e;
      }
      KMSClient = sdk.KMSClient;
    }
    return new KMSClient({
      // One attempt per call: the sandbox never throttles, and a retried call would take
      // another request id (and another CloudTrail event) from a deterministic sandbox.
      maxAttempts: 1,
      ...config,
      region: region ?? sandbox.region,
      credentials: credentials ?? placeholderCredentials(),
      requestHandler: sandbox.requestHandler,
    });
  }

  async function seedKeys(sandbox, keys) {
    checkSandbox(sandbox, 'seedKeys');
    if (!Array.isArray(keys)) throw new TypeError('seedKeys: the second argument must be an array of key descriptions');
    const ids = [];
    for (const key of keys) {
      const spec = key ?? {};
      const keySpec = spec.keySpec ?? 'SYMMETRIC_DEFAULT';
      const input = { KeySpec: keySpec, KeyUsage: spec.keyUsage ?? defaultKeyUsage(keySpec) };
      if (spec.description !== undefined) input.Description = spec.description;
      if (spec.policy !== undefined) {
        input.Policy = typeof spec.policy === 'string' ? spec.policy : JSON.stringify(spec.policy);
      }
      const tags = tagList(spec.tags);
      if (tags !== undefined) input.Tags = tags;
      const { KeyMetadata } = await sandbox.send('CreateKey', input);
      const keyId = KeyMetadata.KeyId;
      const aliases = spec.alias === undefined ? [] : [].concat(spec.alias);
      for (const alias of aliases) {
        const AliasName = alias.startsWith('alias/') ? alias : `alias/${alias}`;
        await sandbox.send('CreateAlias', { AliasName, TargetKeyId: keyId });
      }
      if (spec.rotation) {
        const input = { KeyId: keyId };
        if (typeof spec.rotation === 'number') input.RotationPeriodInDays = spec.rotation;
        await sandbox.send('EnableKeyRotation', input);
      }
      if (spec.enabled === false) await sandbox.send('DisableKey', { KeyId: keyId });
      ids.push(keyId);
    }
    return ids;
  }

  async function calls(sandbox, options = {}) {
    checkSandbox(sandbox, 'calls');
    const { eventName, includeLookups = false } = options ?? {};
    const trail = sandbox.service('cloudtrail');
    const events = [];
    let NextToken;
    do {
      const input = { MaxResults: 50 };
      if (eventName !== undefined) input.LookupAttributes = [{ AttributeKey: 'EventName', AttributeValue: eventName }];
      if (NextToken !== undefined) input.NextToken = NextToken;
      const page = await trail.send('LookupEvents', input);
      for (const e of page.Events ?? []) events.push(JSON.parse(e.CloudTrailEvent));
      NextToken = page.NextToken;
    } while (NextToken);
    // LookupEvents answers newest first; a test reads calls in the order they were made.
    events.reverse();
    const lookups = includeLookups || eventName === 'LookupEvents';
    return lookups ? events : events.filter((e) => e.eventName !== 'LookupEvents');
  }

  return { kmsClient, seedKeys, calls };
}
