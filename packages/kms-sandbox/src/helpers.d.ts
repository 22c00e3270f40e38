// ---- kms-sandbox test helpers (src/helpers.js) ---------------------------------------------------

/** Options of {@link kmsClient}: any `KMSClientConfig` member, plus the SDK's class in browsers. */
export interface KmsClientOptions extends Partial<Omit<import('@aws-sdk/client-kms').KMSClientConfig, 'requestHandler'>> {
  /** The client's Region: its key space in the sandbox (default: `sandbox.region`). */
  region?: string;
  /**
   * Credentials the client signs with (default: placeholder keys, which act as the account root).
   * An access key the sandbox issued (IAM CreateAccessKey, STS AssumeRole) acts as its principal.
   */
  credentials?: import('@aws-sdk/client-kms').KMSClientConfig['credentials'];
  /**
   * `KMSClient` from `@aws-sdk/client-kms`. Optional in Node.js (the package imports it when
   * needed); required in browsers, where a bundle cannot load a package it did not see.
   */
  KMSClient?: typeof import('@aws-sdk/client-kms').KMSClient;
}

/**
 * A `KMSClient` of the official AWS SDK for JavaScript v3 whose requests the sandbox answers
 * (`requestHandler: sandbox.requestHandler`), with one attempt per call (`maxAttempts: 1`,
 * overridable) and placeholder credentials unless given.
 */
export function kmsClient(sandbox: KmsSandbox, options?: KmsClientOptions): Promise<import('@aws-sdk/client-kms').KMSClient>;

/** One key for {@link seedKeys} to create. */
export interface KmsSeedKey {
  /** Alias (`alias/app` or `app`), or several, pointed at the new key. */
  alias?: string | string[];
  /** Key spec (default `SYMMETRIC_DEFAULT`). */
  keySpec?: NonNullable<Kms.CreateKeyRequest['KeySpec']>;
  /** Key usage (default: what AWS requires for the spec: `GENERATE_VERIFY_MAC` for HMAC, `SIGN_VERIFY` for ECC, else `ENCRYPT_DECRYPT`). */
  keyUsage?: NonNullable<Kms.CreateKeyRequest['KeyUsage']>;
  description?: string;
  /** Key policy, as a JSON string or an object (default: KMS's default key policy). */
  policy?: string | object;
  /** Tags, as `{ key: value }` or `[{ TagKey, TagValue }]`. */
  tags?: Record<string, string> | Kms.Tag[];
  /** Enables automatic rotation (`true`, or the rotation period in days). */
  rotation?: boolean | number;
  /** `false` disables the key after creating it. */
  enabled?: boolean;
}

/** Creates the keys (and their aliases) in order through `sandbox.send`; resolves with their key ids. */
export function seedKeys(sandbox: KmsSandbox, keys: KmsSeedKey[]): Promise<string[]>;

/** Options of {@link calls}. */
export interface KmsCallsOptions {
  /** Only events of this name (`Encrypt`, `CreateKey`, ...). */
  eventName?: string;
  /** Keep the CloudTrail `LookupEvents` calls (the helper's own included); default false. */
  includeLookups?: boolean;
}

/** A CloudTrail event record, as CloudTrail writes it (the members tests read most, and the rest). */
export interface KmsTrailEvent {
  eventVersion: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  eventID: string;
  requestID?: string;
  readOnly?: boolean;
  userIdentity: { type: string; arn?: string; accountId?: string; principalId?: string; accessKeyId?: string; [k: string]: unknown };
  requestParameters?: Record<string, any> | null;
  responseElements?: Record<string, any> | null;
  errorCode?: string;
  errorMessage?: string;
  resources?: { ARN: string; type?: string; accountId?: string }[];
  userAgent?: string;
  [member: string]: unknown;
}

/**
 * The calls recorded in the sandbox's CloudTrail event history (its Region), oldest first, parsed:
 * what the code under test called, with what, and what it got. Reads all pages of LookupEvents.
 */
export function calls(sandbox: KmsSandbox, options?: KmsCallsOptions): Promise<KmsTrailEvent[]>;
