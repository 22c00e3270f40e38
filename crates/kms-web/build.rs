//! Writes the TypeScript declarations of `KmsSandbox.send`'s inputs and outputs from the same
//! AWS API model the engine embeds (`crates/kms-core/model/kms-model.json`), so the `.d.ts`
//! that wasm-bindgen emits types every operation exactly.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

const MODEL: &str = "../kms-core/model/kms-model.json";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Input,
    Output,
}

struct Gen<'a> {
    shapes: &'a serde_json::Map<String, Value>,
    /// Structures reached from both inputs and outputs that hold a blob or timestamp: these get a
    /// separate `...Input` type, as their JavaScript types differ by direction.
    split: BTreeSet<String>,
}

impl Gen<'_> {
    fn shape(&self, name: &str) -> &Value {
        &self.shapes[name]
    }

    fn children(&self, name: &str) -> Vec<String> {
        let s = self.shape(name);
        let mut out = Vec::new();
        if let Some(members) = s["members"].as_object() {
            out.extend(
                members
                    .values()
                    .filter_map(|v| v.as_str().map(str::to_string)),
            );
        }
        for k in ["member", "key", "value"] {
            if let Some(c) = s[k].as_str() {
                out.push(c.to_string());
            }
        }
        out
    }

    fn reach(&self, roots: impl Iterator<Item = String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = roots.collect();
        while let Some(n) = stack.pop() {
            if seen.insert(n.clone()) {
                stack.extend(self.children(&n));
            }
        }
        seen
    }

    fn holds_blob_or_time(&self, name: &str) -> bool {
        self.reach(std::iter::once(name.to_string()))
            .iter()
            .any(|n| matches!(self.shape(n)["type"].as_str(), Some("blob" | "timestamp")))
    }

    fn type_name(&self, name: &str, mode: Mode) -> String {
        if mode == Mode::Input && self.split.contains(name) {
            format!("{name}Input")
        } else {
            name.to_string()
        }
    }

    /// The TypeScript type of a reference to shape `name`.
    fn ty(&self, name: &str, mode: Mode) -> String {
        let s = self.shape(name);
        match s["type"].as_str().unwrap_or_default() {
            "structure" => self.type_name(name, mode),
            "list" => {
                let member = self.ty(s["member"].as_str().unwrap_or_default(), mode);
                // `"A" | "B"[]` would be "A, or a list of B".
                if member.contains(" | ") {
                    format!("({member})[]")
                } else {
                    format!("{member}[]")
                }
            }
            "map" => format!(
                "Record<string, {}>",
                self.ty(s["value"].as_str().unwrap_or_default(), mode)
            ),
            "blob" => match mode {
                Mode::Input => "KmsBlobInput".into(),
                Mode::Output => "Uint8Array".into(),
            },
            "timestamp" => match mode {
                Mode::Input => "KmsTimestampInput".into(),
                Mode::Output => "Date".into(),
            },
            "boolean" => "boolean".into(),
            "integer" | "long" | "double" | "float" => "number".into(),
            "string" => match s["enum"].as_array() {
                Some(values) => values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|v| format!("{v:?}"))
                    .collect::<Vec<_>>()
                    .join(" | "),
                None => "string".into(),
            },
            _ => "unknown".into(),
        }
    }

    fn structure(&self, out: &mut String, name: &str, mode: Mode) {
        let s = self.shape(name);
        let required: BTreeSet<&str> = s["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let _ = writeln!(out, "  export interface {} {{", self.type_name(name, mode));
        if let Some(members) = s["members"].as_object() {
            for (member, shape) in members {
                let opt = if required.contains(member.as_str()) {
                    ""
                } else {
                    "?"
                };
                let _ = writeln!(
                    out,
                    "    {member}{opt}: {};",
                    self.ty(shape.as_str().unwrap_or_default(), mode)
                );
            }
        }
        let _ = writeln!(out, "  }}");
    }
}

fn main() {
    let dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let model_path = dir.join(MODEL);
    println!("cargo:rerun-if-changed={}", model_path.display());
    let text = std::fs::read_to_string(&model_path).expect("the kms-core API model is readable");
    let model: Value = serde_json::from_str(&text).expect("the API model is JSON");
    let shapes = model["shapes"].as_object().expect("model has shapes");
    let operations = model["operations"]
        .as_object()
        .expect("model has operations");

    let mut gen = Gen {
        shapes,
        split: BTreeSet::new(),
    };
    let inputs = gen.reach(
        operations
            .values()
            .filter_map(|o| o["input"].as_str().map(str::to_string)),
    );
    let outputs = gen.reach(
        operations
            .values()
            .filter_map(|o| o["output"].as_str().map(str::to_string)),
    );
    gen.split = inputs
        .intersection(&outputs)
        .filter(|n| shapes[n.as_str()]["type"] == "structure" && gen.holds_blob_or_time(n))
        .cloned()
        .collect();

    let mut errors: BTreeSet<&str> = BTreeSet::new();
    for op in operations.values() {
        for e in op["errors"].as_array().into_iter().flatten() {
            errors.extend(e.as_str());
        }
    }
    errors.extend([
        "SerializationException",
        "ValidationException",
        "UnknownOperationException",
    ]);
    errors.extend(["UnsupportedOperationException", "AccessDeniedException"]);

    let mut out = String::new();
    out.push_str(
        "/** A blob as input: bytes, or a string (sent as its UTF-8 bytes). */\n\
         export type KmsBlobInput = Uint8Array | ArrayBuffer | ArrayBufferView | string;\n\
         /** A timestamp as input: a Date, seconds since the epoch (as the AWS SDK sends a number), or a date string. */\n\
         export type KmsTimestampInput = Date | number | string;\n\
         /** Options of `KmsSandbox.open` and `KmsSandbox.memory`. */\n\
         export interface KmsSandboxOptions {\n\
         \x20 /** Region of `send` (default \"ap-southeast-2\"). */\n\
         \x20 region?: string;\n\
         \x20 /** 12-digit account id, fixed when the sandbox is created (default \"111122223333\"). */\n\
         \x20 accountId?: string;\n\
         }\n\
         /** Options of `KmsSandbox.memory`: those of every sandbox, plus the deterministic mode for tests. */\n\
         export interface KmsMemoryOptions extends KmsSandboxOptions {\n\
         \x20 /**\n\
         \x20  * Makes the sandbox deterministic: the same sequence of calls gives the same key ids, ciphertexts,\n\
         \x20  * grant ids, request ids and CloudTrail event ids (`42` and `\"42\"` are the same seed). Key material\n\
         \x20  * comes from the seed: never protect anything with it. Also fixes the clock (see `now`).\n\
         \x20  */\n\
         \x20 seed?: number | string;\n\
         \x20 /**\n\
         \x20  * Fixes the sandbox's clock at this time (a Date or ms since the epoch; with a `seed` and no `now`,\n\
         \x20  * 2025-01-01T00:00:00Z): it then moves only by `clock.advance(seconds)`.\n\
         \x20  */\n\
         \x20 now?: Date | number;\n\
         }\n\
         /** Options of `sandbox.export(...)`. */\n\
         export interface KmsExportOptions {\n\
         \x20 /** The file's key is derived from it (PBKDF2-SHA-256, 600,000 iterations). May be empty: the file is then open to anyone who has it. */\n\
         \x20 passphrase: string;\n\
         }\n\
         /** Options of `KmsSandbox.import(...)`. */\n\
         export interface KmsImportOptions {\n\
         \x20 /** The passphrase the file was exported with. */\n\
         \x20 passphrase: string;\n\
         \x20 /** Replace a sandbox of the same name (deleted once the file is read and verified); otherwise AlreadyExistsException. */\n\
         \x20 replace?: boolean;\n\
         \x20 /** Region of the returned sandbox's `send` (default \"ap-southeast-2\"). */\n\
         \x20 region?: string;\n\
         }\n\
         /** This sandbox's bill for a month (`sandbox.bill(...)`); amounts in exact USD, times in ms since the epoch (UTC). */\n\
         export interface KmsBill {\n\
         \x20 year: number;\n\
         \x20 month: number;\n\
         \x20 /** The month's first moment. */\n\
         \x20 from: number;\n\
         \x20 /** Billed up to (exclusive): the month's end, or the sandbox's now in the current month. */\n\
         \x20 until: number;\n\
         \x20 regions: { region: string; lineItems: KmsBillLineItem[]; usd: number }[];\n\
         \x20 freeRequests: number;\n\
         \x20 freeRequestsUsed: number;\n\
         \x20 usd: number;\n\
         \x20 /** The cost of each day of the month so far. */\n\
         \x20 daily: { day: number; date: string; usd: number }[];\n\
         }\n\
         export interface KmsBillLineItem {\n\
         \x20 kind: \"Keys\" | \"Rotations\" | \"Requests\";\n\
         \x20 priceClass: \"Symmetric\" | \"Rsa2048\" | \"Asymmetric\" | \"EccGenerateDataKeyPair\" | \"RsaGenerateDataKeyPair\" | null;\n\
         \x20 description: string;\n\
         \x20 /** Key-months, rotation-months or requests. */\n\
         \x20 quantity: number;\n\
         \x20 /** Requests the free tier covered (included in `quantity`). */\n\
         \x20 free: number;\n\
         \x20 usd: number;\n\
         }\n\
         /** The `$metadata` of every output and error, as the AWS SDK v3 has it. */\n\
         export interface KmsResponseMetadata {\n\
         \x20 httpStatusCode?: number;\n\
         \x20 requestId?: string;\n\
         \x20 attempts?: number;\n\
         \x20 totalRetryDelay?: number;\n\
         }\n\
         /** The `HttpRequest` the AWS SDK v3 hands its request handler (the members the sandbox reads). */\n\
         export interface KmsHttpRequest {\n\
         \x20 method?: string;\n\
         \x20 protocol?: string;\n\
         \x20 hostname?: string;\n\
         \x20 path?: string;\n\
         \x20 headers: Record<string, string>;\n\
         \x20 body?: Uint8Array | ArrayBuffer | string;\n\
         }\n\
         /** The `HttpResponse` a request handler answers with. */\n\
         export interface KmsHttpResponse {\n\
         \x20 statusCode: number;\n\
         \x20 headers: Record<string, string>;\n\
         \x20 body: Uint8Array;\n\
         }\n",
    );
    let _ = writeln!(
        out,
        "/** The error types KMS answers with (an error's `name`). */\nexport type KmsErrorName = {};",
        errors.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>().join(" | ")
    );
    out.push_str(
        "/** What `send` rejects with: `name` is the AWS error type, `message` AWS's message. */\n\
         export interface KmsServiceError extends Error {\n\
         \x20 name: KmsErrorName;\n\
         \x20 $fault: \"client\" | \"server\";\n\
         \x20 $metadata: KmsResponseMetadata;\n\
         }\n",
    );

    out.push_str(
        "/** Every KMS operation's input and output type. */\nexport interface KmsOperations {\n",
    );
    for (name, op) in operations {
        let input = op["input"]
            .as_str()
            .map(|s| format!("Kms.{}", gen.type_name(s, Mode::Input)));
        let output = op["output"].as_str().map(|s| format!("Kms.{s}"));
        let _ = writeln!(
            out,
            "  {name}: {{ input: {}; output: {} }};",
            input.unwrap_or_else(|| "Record<string, never>".into()),
            output.unwrap_or_else(|| "Record<string, never>".into())
        );
    }
    out.push_str("}\n/** A KMS operation name, e.g. \"Encrypt\". */\nexport type KmsOperationName = keyof KmsOperations;\n");
    out.push_str(
        "export interface KmsSandbox {\n\
         \x20 /**\n\
         \x20  * Runs one KMS operation, like the AWS SDK's `client.send(new XCommand(input))`.\n\
         \x20  * Resolves with the output (blobs as Uint8Array, timestamps as Date, plus `$metadata`);\n\
         \x20  * rejects with a {@link KmsServiceError}.\n\
         \x20  */\n\
         \x20 send<Op extends KmsOperationName>(operation: Op, input?: KmsOperations[Op][\"input\"]): \
         Promise<KmsOperations[Op][\"output\"] & { $metadata: KmsResponseMetadata }>;\n\
         }\n",
    );

    // The API model's shapes, by their AWS names, in one namespace.
    let mut by_name: BTreeMap<String, (String, Mode)> = BTreeMap::new();
    for name in &inputs {
        by_name.insert(
            gen.type_name(name, Mode::Input),
            (name.clone(), Mode::Input),
        );
    }
    for name in &outputs {
        by_name
            .entry(name.clone())
            .or_insert((name.clone(), Mode::Output));
    }
    out.push_str("/** The shapes of the AWS KMS API model (2014-11-01). */\nexport declare namespace Kms {\n");
    for (_, (name, mode)) in by_name {
        if shapes[name.as_str()]["type"] == "structure" {
            gen.structure(&mut out, &name, mode);
        }
    }
    out.push_str("}\n");

    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("kms-types.d.ts");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
