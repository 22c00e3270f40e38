//! The CLI against the in-memory sandbox: what the terminal shows for the learner's commands,
//! golden outputs in each format, errors and exit codes, pagination, files and redirection.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use kms_cli::{parse, run, Command, Context, Invocation, Outcome, OutputFormat, Service};
use kms_core::Sandbox;
use serde_json::{json, Value};
use std::collections::BTreeMap;

struct Term {
    sb: Sandbox,
    files: BTreeMap<String, Vec<u8>>,
    profiles: BTreeMap<String, String>,
    calls: usize,
}

impl Term {
    fn new() -> Term {
        Term {
            sb: Sandbox::in_memory(7),
            files: BTreeMap::new(),
            profiles: BTreeMap::new(),
            calls: 0,
        }
    }

    /// Runs a line as the console would: requests to the sandbox, `> file` into the file area.
    fn run(&mut self, line: &str) -> Outcome {
        let Term {
            sb,
            files,
            profiles,
            calls,
        } = self;
        let mut ctx = Context::new(&*files, "ap-southeast-2");
        ctx.profiles = &*profiles;
        let out = run(line, &ctx, |inv: &Invocation, req: Value| {
            *calls += 1;
            let region = std::mem::replace(&mut sb.region, inv.region.clone());
            let r = sb.call_service(inv.service, &inv.operation, req);
            sb.region = region;
            r
        });
        if let Some(r) = &out.redirect {
            let mut bytes = if r.append {
                files.get(&r.path).cloned().unwrap_or_default()
            } else {
                Vec::new()
            };
            bytes.extend(out.stdout.as_bytes());
            files.insert(r.path.clone(), bytes);
        }
        out
    }

    fn ok(&mut self, line: &str) -> String {
        let out = self.run(line);
        assert_eq!(out.exit_code, 0, "{line}\n{}", out.stderr);
        out.stdout
    }

    fn json(&mut self, line: &str) -> Value {
        serde_json::from_str(&self.ok(line)).unwrap()
    }
}

#[test]
fn create_key_prints_json_in_model_order_with_iso_dates() {
    let mut t = Term::new();
    let out = t.ok("aws kms create-key --description demo");
    let v: Value = serde_json::from_str(&out).unwrap();
    let id = v["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let head = format!(
        "{{\n    \"KeyMetadata\": {{\n        \"AWSAccountId\": \"111122223333\",\n        \"KeyId\": \"{id}\",\n        \"Arn\": \"arn:aws:kms:ap-southeast-2:111122223333:key/{id}\",\n        \"CreationDate\": \"2025-01-01T00:00:00+00:00\",\n        \"Enabled\": true,\n        \"Description\": \"demo\",\n        \"KeyUsage\": \"ENCRYPT_DECRYPT\",\n        \"KeyState\": \"Enabled\",\n"
    );
    assert!(out.starts_with(&head), "{out}");
    assert!(out.ends_with("    }\n}\n"));
}

#[test]
fn encrypt_fileb_query_text_and_redirect_then_decrypt() {
    let mut t = Term::new();
    // ListKeys lists the Region's AWS managed keys too: take the new key's id from its output.
    let id = t
        .ok("aws kms create-key --description demo --tags TagKey=team,TagValue=blue TagKey=env,TagValue=dev --query KeyMetadata.KeyId --output text")
        .trim()
        .to_string();
    assert_eq!(
        t.ok(&format!(
            "aws kms create-alias --alias-name alias/demo --target-key-id {id}"
        )),
        ""
    );
    t.files
        .insert("note.txt".into(), b"hello from the page\n".to_vec());
    let out = t.run("aws kms encrypt --key-id alias/demo --plaintext fileb://note.txt --encryption-context purpose=test,env=dev --query CiphertextBlob --output text > ./ct.b64");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let b64 = String::from_utf8(t.files["ct.b64"].clone()).unwrap();
    assert!(b64.ends_with('\n') && !b64.trim().contains('\n'));
    t.files
        .insert("ct.bin".into(), STANDARD.decode(b64.trim()).unwrap());
    let plain = t.ok("aws kms decrypt --ciphertext-blob fileb://ct.bin --encryption-context purpose=test,env=dev --query Plaintext --output text");
    assert_eq!(
        STANDARD.decode(plain.trim()).unwrap(),
        b"hello from the page\n"
    );
    // The pipe to base64 is refused with the way that works here and in CLI v2: file:// of
    // the base64 text, which the CLI decodes itself.
    let out = t.run("aws kms encrypt --key-id alias/demo --plaintext fileb://note.txt --output text --query CiphertextBlob | base64 --decode > ct.bin");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            2,
            "-bash: pipes are not supported in this terminal: run one aws command at a time\n\
             hint: write the base64 to a file: --output text --query CiphertextBlob > ct.b64\n      \
             and read it back: aws kms decrypt --ciphertext-blob file://ct.b64\n"
        )
    );
    let plain = t.ok("aws kms decrypt --ciphertext-blob file://ct.b64 --encryption-context purpose=test,env=dev --query Plaintext --output text");
    assert_eq!(
        STANDARD.decode(plain.trim()).unwrap(),
        b"hello from the page\n"
    );
    // CLI v2 reads a blob typed as text as base64 (raw text needs --cli-binary-format).
    let out = t.run("aws kms encrypt --key-id alias/demo --plaintext 'hello world'");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (255, "\nInvalid base64: \"hello world\"\n")
    );
    let ct = t.ok("aws kms encrypt --key-id alias/demo --plaintext 'hello world' --cli-binary-format raw-in-base64-out --query CiphertextBlob --output text");
    let pt = t.ok(&format!(
        "aws kms decrypt --ciphertext-blob {} --query Plaintext --output text",
        ct.trim()
    ));
    assert_eq!(STANDARD.decode(pt.trim()).unwrap(), b"hello world");
    // Tags by shorthand.
    let tags = t.ok(&format!(
        "aws kms list-resource-tags --key-id {id} --output text"
    ));
    assert_eq!(tags, "TAGS\tenv\tdev\nTAGS\tteam\tblue\n");
    // A missing file.
    let out = t.run("aws kms encrypt --key-id alias/demo --plaintext fileb://nope.txt");
    assert_eq!(out.stderr, "\nError parsing parameter '--plaintext': Unable to load paramfile fileb://nope.txt: [Errno 2] No such file or directory: 'nope.txt'\n");
    assert_eq!(out.exit_code, 252);
}

#[test]
fn list_aliases_query_with_a_legacy_literal() {
    let mut t = Term::new();
    let id = t.json("aws kms create-key")["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    t.ok(&format!(
        "aws kms create-alias --alias-name alias/demo --target-key-id {id}"
    ));
    t.ok(&format!(
        "aws kms create-alias --alias-name alias/zeta --target-key-id {id}"
    ));
    let out = t.ok("aws kms list-aliases --query 'Aliases[?starts_with(AliasName, `alias/d`)].AliasName' --output text");
    assert_eq!(out, "alias/demo\n");
    let out = t.ok(
        "aws kms list-aliases --query 'Aliases[?!starts_with(AliasName, `alias/aws/`)].AliasName'",
    );
    assert_eq!(out, "[\n    \"alias/demo\",\n    \"alias/zeta\"\n]\n");
    let out = t.ok("aws kms list-aliases --query 'Aliases[?AliasName==`alias/demo`] | [0].{Name: AliasName, Target: TargetKeyId}'");
    assert_eq!(
        out,
        format!("{{\n    \"Name\": \"alias/demo\",\n    \"Target\": \"{id}\"\n}}\n")
    );
    assert_eq!(
        t.ok("aws kms list-aliases --query 'Aliases[0].Nothing' --output text"),
        "None\n"
    );
    assert_eq!(
        t.ok("aws kms list-aliases --query 'Aliases[0].Nothing'"),
        "null\n"
    );
    let n = t.json("aws kms list-aliases --no-paginate")["Aliases"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        t.ok("aws kms list-aliases --query 'length(Aliases)'"),
        format!("{n}\n")
    );
}

#[test]
fn errors_and_exit_codes() {
    let mut t = Term::new();
    let out = t.run("aws kms describe-key --key-id 1234abcd-12ab-34cd-56ef-1234567890ab");
    assert_eq!(out.exit_code, 254);
    assert_eq!(
        out.stderr,
        "\nAn error occurred (NotFoundException) when calling the DescribeKey operation: Key 'arn:aws:kms:ap-southeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' does not exist\n"
    );
    let usage = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";
    let out = t.run("aws kms describe-key");
    assert_eq!(
        (out.exit_code, out.stderr.clone()),
        (
            252,
            format!("\n{usage}\naws: error: the following arguments are required: --key-id\n\n")
        )
    );
    let out = t.run("aws kms encrypt --key-id k --plaintext aGk= --bogus 1");
    assert_eq!(
        (out.exit_code, out.stderr.clone()),
        (252, format!("\n{usage}\nUnknown options: --bogus, 1\n\n"))
    );
    // An output skeleton is a stubbed call: its required options and values are checked as a
    // call's; an input skeleton needs neither.
    let out = t.run("aws kms encrypt --generate-cli-skeleton output");
    assert_eq!(
        (out.exit_code, out.stderr.clone()),
        (
            252,
            format!("\n{usage}\naws: error: the following arguments are required: --key-id, --plaintext\n\n")
        )
    );
    let out = t.run("aws kms generate-random --number-of-bytes 0 --generate-cli-skeleton output");
    assert_eq!(out.exit_code, 252, "{}", out.stderr);
    assert!(
        out.stderr.contains("Parameter validation failed"),
        "{}",
        out.stderr
    );
    let out = t.run("aws kms encrypt --key-id k --plaintext aGk= --generate-cli-skeleton output");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("\"KeyId\": \"KeyId\""),
        "{}",
        out.stdout
    );
    assert_eq!(
        t.run("aws kms encrypt --generate-cli-skeleton").exit_code,
        0
    );
    // The YAML skeleton, filled in, is the input of --cli-input-yaml (not with --cli-input-json).
    let yaml = t.ok("aws kms create-key --generate-cli-skeleton yaml-input");
    assert!(yaml.contains("Description: ''"), "{yaml}");
    let out = t.run("aws kms create-key --cli-input-yaml 'Description: from yaml\nTags:\n- TagKey: a\n  TagValue: b' --query KeyMetadata.Description --output text");
    assert_eq!(
        (out.exit_code, out.stdout.as_str()),
        (0, "from yaml\n"),
        "{}",
        out.stderr
    );
    let out = t.run("aws kms create-key --cli-input-yaml 'Description: x' --cli-input-json '{}'");
    assert_eq!(
        (out.exit_code, out.stderr.clone()),
        (252, format!("\n{usage}\naws: error: argument --cli-input-json: not allowed with argument --cli-input-yaml\n\n"))
    );
    let out = t.run("aws kms create-key --cli-input-yaml 'Description: [x'");
    assert_eq!(out.exit_code, 252, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Error parsing parameter '--cli-input-yaml': Invalid YAML: "),
        "{}",
        out.stderr
    );
    let out = t.run("aws kms list-key");
    assert_eq!(out.exit_code, 252);
    assert!(out.stderr.contains("aws: error: argument operation: Invalid choice, valid choices are:\n\ncancel-key-deletion                      | connect-custom-key-store                \n"), "{}", out.stderr);
    assert!(
        out.stderr
            .ends_with("\n\nInvalid choice: 'list-key', maybe you meant:\n\n  * list-keys\n\n"),
        "{}",
        out.stderr
    );
    let out = t.run("aws kmss list-keys");
    assert!(out.stderr.contains("argument command: Invalid choice"));
    let out = t.run("aws kms list-keys --output xml");
    assert!(out
        .stderr
        .contains("argument --output: Invalid choice, valid choices are:"));
    let out = t.run("aws kms list-keys --limit abc --no-paginate");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (255, "\ninvalid literal for int() with base 10: 'abc'\n")
    );
    let out = t.run("aws kms list-keys --limit 0");
    assert_eq!((out.exit_code, out.stderr.as_str()), (252, "\nParameter validation failed:\nInvalid value for parameter Limit, value: 0, valid min value: 1\n"));
    let out = t.run("aws kms create-key --tags '[{\"TagKey\": \"a\", \"Nope\": 1}]'");
    assert_eq!(
        out.stderr,
        "\nParameter validation failed:\nMissing required parameter in Tags[0]: \"TagValue\"\nUnknown parameter in Tags[0]: \"Nope\", must be one of: TagKey, TagValue\n"
    );
    let out = t.run("aws kms create-key --tags TagKey");
    assert_eq!(out.stderr, "\nError parsing parameter '--tags': Expected: '=', received: 'EOF' for input:\nTagKey\n      ^\n");
    let out = t.run("aws kms encrypt --key-id k --plaintext aGk= --encryption-context '{\"a\": }'");
    assert!(out.stderr.starts_with("\nError parsing parameter '--encryption-context': Invalid JSON: Expecting value: line 1 column 7"), "{}", out.stderr);
    let out = t.run("aws kms list-keys --profile nobody");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (255, "\nThe config profile (nobody) could not be found\n")
    );
    // globalargs.py's ParamValidationError (exit 252), in jmespath.py's words.
    let out = t.run("aws kms list-keys --query 'Keys['");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nBad value for --query Keys[: Invalid jmespath expression: Incomplete expression:\n\"Keys[\"\n      ^\n"
        )
    );
    let out =
        t.run("aws kms list-aliases --query \"Aliases[?starts_with(AliasName, 'alias/aws/)]\"");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nBad value for --query Aliases[?starts_with(AliasName, 'alias/aws/)]: Bad jmespath expression: Unclosed ' delimiter:\nAliases[?starts_with(AliasName, 'alias/aws/)]\n                                ^\n"
        )
    );
    // It fails before the operation is even parsed, as clidriver resolves it first.
    let out = t.run("aws kms describe-key --query 'KeyMetadata.{Id: KeyId'");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nBad value for --query KeyMetadata.{Id: KeyId: Invalid jmespath expression: Incomplete expression:\n\"KeyMetadata.{Id: KeyId\"\n                       ^\n"
        )
    );
    let out = t.run("ls -l");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (127, "-bash: ls: command not found\n")
    );
    let out = t.run("aws kms list-keys --no-paginate --max-items 2");
    assert_eq!(
        out.stderr,
        "\nCannot specify --no-paginate along with pagination arguments: --max-items\n"
    );
    let out = t.run("aws kms list-keys --max-items abc");
    assert_eq!(out.exit_code, 252);
    assert!(
        out.stderr
            .ends_with("\naws: error: argument --max-items: invalid int value: 'abc'\n\n"),
        "{}",
        out.stderr
    );
    let out = t.run("aws kms list-keys --max-items 0 --query 'length(Keys)'");
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.exit_code),
        (
            "0\n",
            "warning: Non-positive values for --max-items may result in undefined behavior.\n",
            0
        )
    );
    // A dry run answers with an error, as KMS does.
    let id = t.json("aws kms create-key")["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let out = t.run(&format!(
        "aws kms encrypt --key-id {id} --plaintext aGk= --dry-run"
    ));
    assert_eq!(out.exit_code, 254);
    assert!(
        out.stderr.starts_with(
            "\nAn error occurred (DryRunOperationException) when calling the Encrypt operation: "
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn pagination_page_size_max_items_and_starting_token() {
    let mut t = Term::new();
    let ids: Vec<String> = (0..5)
        .map(|_| {
            t.json("aws kms create-key")["KeyMetadata"]["KeyId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // The account also holds AWS managed keys.
    let n = t.json("aws kms list-keys --no-paginate")["Keys"]
        .as_array()
        .unwrap()
        .len();
    assert!(n >= 5);
    t.calls = 0;
    let all = t.json("aws kms list-keys --page-size 2");
    assert_eq!(t.calls, n.div_ceil(2));
    assert_eq!(
        all.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["Keys"]
    );
    let listed: Vec<&str> = all["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["KeyId"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), n);
    for id in &ids {
        assert!(listed.contains(&id.as_str()));
    }
    t.calls = 0;
    let first = t.json("aws kms list-keys --page-size 2 --max-items 3");
    assert_eq!(t.calls, 2);
    assert_eq!(first["Keys"].as_array().unwrap().len(), 3);
    let token = first["NextToken"].as_str().unwrap().to_string();
    let decoded: Value = serde_json::from_slice(&STANDARD.decode(&token).unwrap()).unwrap();
    assert_eq!(decoded["boto_truncate_amount"], json!(1));
    let rest = t.json(&format!(
        "aws kms list-keys --page-size 2 --starting-token {token}"
    ));
    let rest_ids: Vec<&str> = rest["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["KeyId"].as_str().unwrap())
        .collect();
    let first_ids: Vec<&str> = first["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["KeyId"].as_str().unwrap())
        .collect();
    let joined: Vec<&str> = first_ids.iter().chain(&rest_ids).copied().collect();
    assert_eq!(joined, listed);
    // Text prints each page, then the token to resume from.
    let text = t.ok("aws kms list-keys --page-size 2 --max-items 2 --output text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("KEYS\tarn:aws:kms:"));
    assert!(lines[2].starts_with("NEXTTOKEN\t"));
    // --no-paginate: one request, the service's own markers.
    t.calls = 0;
    let one = t.json("aws kms list-keys --limit 2 --no-paginate");
    assert_eq!(t.calls, 1);
    assert_eq!(one["Truncated"], json!(true));
    assert!(one["NextMarker"].is_string());
    // A marker of one's own turns pagination off too.
    let marker = one["NextMarker"].as_str().unwrap().to_string();
    t.calls = 0;
    t.json(&format!("aws kms list-keys --limit 2 --marker {marker}"));
    assert_eq!(t.calls, 1);
    // So does the operation's own page limit (paginate.py's limit_key): one page, its marker.
    t.calls = 0;
    let limited = t.json("aws kms list-keys --limit 2");
    assert_eq!(t.calls, 1);
    assert_eq!(limited["Keys"].as_array().unwrap().len(), 2);
    assert_eq!(limited["Truncated"], json!(true));
    // And a limit or marker in --cli-input-json or --cli-input-yaml
    // (check_should_enable_pagination_call_parameters).
    t.calls = 0;
    let limited = t.json("aws kms list-keys --cli-input-json '{\"Limit\": 1}'");
    assert_eq!(t.calls, 1);
    assert_eq!(limited["Keys"].as_array().unwrap().len(), 1);
    assert_eq!(limited["Truncated"], json!(true));
    let marker = limited["NextMarker"].as_str().unwrap().to_string();
    t.calls = 0;
    let rest = t.json(&format!(
        "aws kms list-keys --cli-input-yaml 'Marker: {marker}'"
    ));
    assert_eq!(t.calls, 1);
    assert_eq!(rest["Keys"].as_array().unwrap().len(), n - 1);
    t.calls = 0;
    t.json("aws iam list-users --cli-input-json '{\"MaxItems\": 1}'");
    assert_eq!(t.calls, 1);
    // That check comes after the CLI's own paging options went into the call as a
    // PaginationConfig, which the operation then refuses.
    let out = t.run("aws kms list-keys --cli-input-json '{\"Limit\": 1}' --max-items 2");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nParameter validation failed:\nUnknown parameter in input: \"PaginationConfig\", must be one of: Limit, Marker, ResourceOwners\n"
        )
    );
    // yaml-stream prints each page as it comes, the query applied to each.
    let counts: String = (0..n)
        .step_by(2)
        .map(|i| format!("- {}\n", (n - i).min(2)))
        .collect();
    assert_eq!(
        t.ok("aws kms list-keys --page-size 2 --output yaml-stream --query 'length(Keys)'"),
        counts
    );
    assert_eq!(
        t.ok("aws kms list-keys --page-size 2 --max-items 3 --output yaml-stream --query 'length(Keys)'"),
        "- 2\n- 1\n"
    );
}

#[test]
fn iam_sts_and_cloudtrail() {
    let mut t = Term::new();
    let out = t.ok("aws iam create-user --user-name dev");
    assert!(out.starts_with("{\n    \"User\": {\n        \"Path\": \"/\",\n        \"UserName\": \"dev\",\n        \"UserId\": \""), "{out}");
    assert!(out.contains("\"CreateDate\": \"2025-01-01T00:00:00+00:00\""));
    let out = t.ok("aws sts get-caller-identity --output text");
    assert_eq!(
        out,
        "111122223333\tarn:aws:iam::111122223333:root\t111122223333\n"
    );
    let out = t.ok("aws sts get-caller-identity --output yaml");
    assert_eq!(
        out,
        "Account: '111122223333'\nArn: arn:aws:iam::111122223333:root\nUserId: '111122223333'\n"
    );
    t.ok("aws iam put-user-policy --user-name dev --policy-name p --policy-document '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}]}'");
    // IAM's policy documents print as JSON objects, in their own key order.
    let out = t.ok("aws iam get-user-policy --user-name dev --policy-name p");
    assert!(out.contains("    \"PolicyDocument\": {\n        \"Version\": \"2012-10-17\",\n        \"Statement\": [\n"), "{out}");
    let out = t.ok("aws iam list-users --query 'Users[].UserName' --output text");
    assert_eq!(out, "dev\n");
    t.ok("aws kms create-key --description for-the-trail");
    let events = t.json("aws cloudtrail lookup-events --max-results 5");
    let names: Vec<&str> = events["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"CreateKey"), "{names:?}");
    // IAM is global: its events are in us-east-1's history.
    let events = t.json("aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=CreateUser");
    assert_eq!(events["Events"].as_array().unwrap().len(), 1);
    assert!(events["Events"][0]["EventTime"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    let out = t.run("aws iam get-user --user-name nobody");
    assert_eq!(out.exit_code, 254);
    assert!(
        out.stderr
            .starts_with("\nAn error occurred (NoSuchEntity) when calling the GetUser operation: "),
        "{}",
        out.stderr
    );
}

#[test]
fn profiles_regions_and_globals() {
    let files = BTreeMap::new();
    let mut profiles = BTreeMap::new();
    profiles.insert(
        "dev".to_string(),
        "arn:aws:iam::111122223333:user/dev".to_string(),
    );
    let mut ctx = Context::new(&files, "ap-southeast-2");
    ctx.profiles = &profiles;
    ctx.output = OutputFormat::Text;
    let Ok(Command::Call(inv)) = parse(
        "aws --region eu-west-1 kms list-keys --profile dev --output=json --no-cli-pager",
        &ctx,
    ) else {
        panic!()
    };
    assert_eq!(inv.region, "eu-west-1");
    assert_eq!(
        inv.principal.as_deref(),
        Some("arn:aws:iam::111122223333:user/dev")
    );
    assert_eq!(inv.output, OutputFormat::Json);
    assert_eq!(inv.service, Service::Kms);
    let Ok(Command::Call(inv)) = parse("aws kms list-keys", &ctx) else {
        panic!()
    };
    assert_eq!(
        (inv.region.as_str(), inv.output, inv.principal),
        ("ap-southeast-2", OutputFormat::Text, None)
    );
    let Ok(Command::Print(v)) = parse("aws --version", &ctx) else {
        panic!()
    };
    assert!(v.stdout.starts_with("aws-cli/2."));
    let Ok(Command::Print(e)) = parse("", &ctx) else {
        panic!()
    };
    assert_eq!(e, Outcome::default());
}

#[test]
fn flags_lists_maps_and_json_values() {
    let files = BTreeMap::new();
    let ctx = Context::new(&files, "ap-southeast-2");
    let input = |line: &str| match parse(line, &ctx) {
        Ok(Command::Call(inv)) => inv.input,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(
        input("aws kms create-key --bypass-policy-lockout-safety-check --no-multi-region --key-spec RSA_2048 --key-usage SIGN_VERIFY"),
        json!({"BypassPolicyLockoutSafetyCheck": true, "MultiRegion": false, "KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})
    );
    assert_eq!(
        input("aws kms create-grant --key-id k --grantee-principal arn:aws:iam::111122223333:role/r --operations Encrypt Decrypt --constraints EncryptionContextSubset={purpose=test} --grant-tokens a b"),
        json!({"KeyId": "k", "GranteePrincipal": "arn:aws:iam::111122223333:role/r", "Operations": ["Encrypt", "Decrypt"],
               "Constraints": {"EncryptionContextSubset": {"purpose": "test"}}, "GrantTokens": ["a", "b"]})
    );
    assert_eq!(
        input("aws kms encrypt --key-id k --plaintext aGk= --encryption-context '{\"b\": \"2\", \"a\": \"1\"}' --grant-tokens '[\"t\"]'"),
        json!({"KeyId": "k", "Plaintext": "aGk=", "EncryptionContext": {"a": "1", "b": "2"}, "GrantTokens": ["t"]})
    );
    assert_eq!(
        input("aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=CreateKey --start-time 2025-01-01 --end-time 1735776000 --no-paginate"),
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateKey"}], "StartTime": 1735689600, "EndTime": 1735776000})
    );
    assert_eq!(
        input("aws kms list-keys --cli-input-json '{\"Limit\": 5}' --no-paginate"),
        json!({"Limit": 5})
    );
    assert_eq!(
        input("aws kms list-keys --page-size 7"),
        json!({"Limit": 7})
    );
    assert_eq!(input("aws iam list-users --max-items 7"), json!({}));
    assert_eq!(
        input("aws iam list-users --max-items 7 --no-paginate"),
        json!({"MaxItems": 7})
    );
}

#[test]
fn help_skeleton_and_completion() {
    let files = BTreeMap::new();
    let ctx = Context::new(&files, "ap-southeast-2");
    let Ok(Command::Print(h)) = parse("aws kms create-key help", &ctx) else {
        panic!()
    };
    assert!(h.stdout.starts_with("CREATE-KEY()"));
    assert!(h
        .stdout
        .contains("SYNOPSIS\n            create-key\n          [--policy <value>]\n"));
    assert!(h.stdout.contains("          [--bypass-policy-lockout-safety-check | --no-bypass-policy-lockout-safety-check]\n"));
    assert!(h.stdout.contains("       --key-spec (string)\n"));
    assert!(!h.stdout.contains('<') || !h.stdout.contains("<p>"));
    let Ok(Command::Print(h)) = parse("aws kms list-keys help", &ctx) else {
        panic!()
    };
    assert!(!h.stdout.contains("[--marker <value>]"));
    assert!(h.stdout.contains("[--max-items <value>]"));
    let Ok(Command::Print(s)) = parse("aws kms encrypt --generate-cli-skeleton", &ctx) else {
        panic!()
    };
    assert_eq!(
        s.stdout,
        "{\n    \"KeyId\": \"\",\n    \"Plaintext\": null,\n    \"EncryptionContext\": {\n        \"KeyName\": \"\"\n    },\n    \"GrantTokens\": [\n        \"\"\n    ],\n    \"EncryptionAlgorithm\": \"SYMMETRIC_DEFAULT\",\n    \"DryRun\": true\n}\n"
    );
    let Ok(Command::Print(s)) = parse(
        "aws sts get-caller-identity --generate-cli-skeleton output",
        &ctx,
    ) else {
        panic!()
    };
    assert_eq!(
        s.stdout,
        "{\n    \"UserId\": \"UserId\",\n    \"Account\": \"Account\",\n    \"Arn\": \"Arn\"\n}\n"
    );
    assert_eq!(
        kms_cli::complete("aws "),
        vec!["cloudformation", "cloudtrail", "iam", "kms", "sts"]
    );
    assert!(kms_cli::complete("aws kms generate-data-key-")
        .contains(&"generate-data-key-without-plaintext".to_string()));
}

/// Golden outputs of one ListAliases answer, written from the CLI's formatting rules (awscli's
/// formatter, text and table modules) for a response as KMS documents it.
#[test]
fn golden_list_aliases_in_every_format() {
    let files = BTreeMap::new();
    let ctx = Context::new(&files, "us-west-2");
    let page = json!({"Aliases": [
        {"AliasName": "alias/ExampleAlias", "AliasArn": "arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias",
         "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "CreationDate": 1735689600.5, "LastUpdatedDate": 1735689600},
        {"AliasName": "alias/aws/ebs", "AliasArn": "arn:aws:kms:us-west-2:111122223333:alias/aws/ebs"}
    ], "Truncated": false});
    let render = |line: &str| {
        let Ok(Command::Call(inv)) = parse(line, &ctx) else {
            panic!()
        };
        assert!(inv.request(std::slice::from_ref(&page)).is_none());
        inv.render(std::slice::from_ref(&page)).stdout
    };
    assert_eq!(
        render("aws kms list-aliases"),
        r#"{
    "Aliases": [
        {
            "AliasName": "alias/ExampleAlias",
            "AliasArn": "arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias",
            "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "CreationDate": "2025-01-01T00:00:00.500000+00:00",
            "LastUpdatedDate": "2025-01-01T00:00:00+00:00"
        },
        {
            "AliasName": "alias/aws/ebs",
            "AliasArn": "arn:aws:kms:us-west-2:111122223333:alias/aws/ebs"
        }
    ]
}
"#
    );
    assert_eq!(
        render("aws kms list-aliases --output text"),
        "ALIASES\tarn:aws:kms:us-west-2:111122223333:alias/ExampleAlias\talias/ExampleAlias\t2025-01-01T00:00:00.500000+00:00\t2025-01-01T00:00:00+00:00\t1234abcd-12ab-34cd-56ef-1234567890ab\n\
ALIASES\tarn:aws:kms:us-west-2:111122223333:alias/aws/ebs\talias/aws/ebs\t\t\t\n"
    );
    assert_eq!(
        render("aws kms list-aliases --output yaml"),
        "Aliases:\n- AliasArn: arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias\n  AliasName: alias/ExampleAlias\n  CreationDate: '2025-01-01T00:00:00.500000+00:00'\n  LastUpdatedDate: '2025-01-01T00:00:00+00:00'\n  TargetKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab\n- AliasArn: arn:aws:kms:us-west-2:111122223333:alias/aws/ebs\n  AliasName: alias/aws/ebs\n"
    );
    // StreamedYAMLFormatter: the page itself (its Truncated too) as a one-item list.
    assert_eq!(
        render("aws kms list-aliases --output yaml-stream"),
        "- Aliases:\n  - AliasArn: arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias\n    AliasName: alias/ExampleAlias\n    CreationDate: '2025-01-01T00:00:00.500000+00:00'\n    LastUpdatedDate: '2025-01-01T00:00:00+00:00'\n    TargetKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab\n  - AliasArn: arn:aws:kms:us-west-2:111122223333:alias/aws/ebs\n    AliasName: alias/aws/ebs\n  Truncated: false\n"
    );
    assert_eq!(
        render("aws kms list-aliases --output yaml-stream --query 'Aliases[].AliasName'"),
        "- - alias/ExampleAlias\n  - alias/aws/ebs\n"
    );
    assert_eq!(
        render("aws kms list-aliases --output table --query 'Aliases[].{Name: AliasName, Target: TargetKeyId}'"),
        "\
----------------------------------------------------------------
|                          ListAliases                         |
+---------------------+----------------------------------------+
|        Name         |                Target                  |
+---------------------+----------------------------------------+
|  alias/ExampleAlias |  1234abcd-12ab-34cd-56ef-1234567890ab  |
|  alias/aws/ebs      |  None                                  |
+---------------------+----------------------------------------+
"
    );
    // Too wide for 80 columns: one-row sections turn vertical, as the CLI folds them.
    let Ok(Command::Call(inv)) = parse("aws kms describe-key --key-id k --output table", &ctx)
    else {
        panic!()
    };
    let described = json!({"KeyMetadata": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Description": "A key for the CLI in the page", "Enabled": true, "KeyState": "Enabled", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}});
    assert_eq!(
        inv.render(&[described]).stdout,
        "\
-----------------------------------------------------------
|                       DescribeKey                       |
+---------------------------------------------------------+
||                      KeyMetadata                      ||
|+--------------+----------------------------------------+|
||  Description |  A key for the CLI in the page         ||
||  Enabled     |  True                                  ||
||  KeyId       |  1234abcd-12ab-34cd-56ef-1234567890ab  ||
||  KeyState    |  Enabled                               ||
|+--------------+----------------------------------------+|
|||                EncryptionAlgorithms                 |||
||+-----------------------------------------------------+||
|||  SYMMETRIC_DEFAULT                                  |||
||+-----------------------------------------------------+||
"
    );
}

#[test]
fn a_query_that_fails_at_run_time_is_an_error() {
    let mut t = Term::new();
    let out = t.run("aws kms list-aliases --query 'foo(Aliases)'");
    assert_eq!((out.stdout.as_str(), out.exit_code), ("", 255));
    assert_eq!(out.stderr, "\nUnknown function: foo()\n");
    let out = t.run("aws kms list-aliases --query 'length(Aliases, Aliases)'");
    assert_eq!(out.exit_code, 255);
    assert_eq!(
        out.stderr,
        "\nExpected 1 argument for function length(), received 2\n"
    );
    let out = t.run("aws kms list-aliases --query 'abs(`\"x\"`)'");
    assert_eq!(out.exit_code, 255);
    assert!(
        out.stderr
            .starts_with("\nIn function abs(), invalid type for value: "),
        "{}",
        out.stderr
    );
}

#[test]
fn base64_blobs_are_read_as_pythons_b64decode_reads_them() {
    let mut t = Term::new();
    let key = t.ok("aws kms create-key --query KeyMetadata.KeyId --output text");
    let key = key.trim();
    // Spaces and the line breaks of wrapped base64 are dropped: "aGVs bG8=" is "hello".
    let blob = t.ok(&format!(
        "aws kms encrypt --key-id {key} --plaintext 'aGVs\nbG8=' --query CiphertextBlob --output text"
    ));
    let plain = t.ok(&format!(
        "aws kms decrypt --ciphertext-blob {} --query Plaintext --output text",
        blob.trim()
    ));
    assert_eq!(plain, "aGVsbG8=\n");
    // An unfinished quad is an error: Base64DecodeVisitor's plain exception (exit 255).
    let out = t.run(&format!(
        "aws kms encrypt --key-id {key} --plaintext 'hello world'"
    ));
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (255, "\nInvalid base64: \"hello world\"\n")
    );
    let out = t.run(&format!("aws kms encrypt --key-id {key} --plaintext a"));
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (255, "\nInvalid base64: \"a\"\n")
    );
    // base64.b64decode refuses a str that is not ASCII before decoding, a ValueError.
    let out = t.run(&format!(
        "aws kms encrypt --key-id {key} --plaintext 'héllo'"
    ));
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            255,
            "\nstring argument should contain only ASCII characters\n"
        )
    );
    // Non-canonical input, as python3 -c 'import base64; print(base64.b64decode(...))' reads
    // it: spare bits dropped, `=` skipped where it cannot end a quad, data after the padding
    // ignored, other characters skipped.
    let files = BTreeMap::new();
    let ctx = Context::new(&files, "ap-southeast-2");
    for (text, bytes) in [
        ("hi==", &b"\x86"[..]),
        ("ab==", b"i"),
        ("test=", b"\xb5\xeb-"),
        ("ab==cd", b"i"),
        ("abc=d", b"i\xb7"),
        ("Y Q = =", b"a"),
        ("YWJj*ZA==", b"abcd"),
    ] {
        let line = format!("aws kms encrypt --key-id k --plaintext '{text}'");
        let Ok(Command::Call(inv)) = parse(&line, &ctx) else {
            panic!("{line}")
        };
        assert_eq!(
            inv.input["Plaintext"],
            json!(STANDARD.encode(bytes)),
            "{text}"
        );
    }
}

/// `--region` names the endpoint: botocore builds a URL for any well-formed Region, and the CLI
/// cannot connect where AWS has no such Region (awscli's general handler, exit 255). The
/// messages are botocore's (EndpointConnectionError, EndpointCreator, validate_region_name).
#[test]
fn regions_aws_does_not_have_cannot_be_reached() {
    let mut t = Term::new();
    for (line, stderr) in [
        (
            "aws kms list-keys --region us-east1",
            "\nCould not connect to the endpoint URL: \"https://kms.us-east1.amazonaws.com/\"\n",
        ),
        (
            "aws kms list-keys --region mars-1",
            "\nCould not connect to the endpoint URL: \"https://kms.mars-1.amazonaws.com/\"\n",
        ),
        (
            "aws kms list-keys --region cn-north-9",
            "\nCould not connect to the endpoint URL: \"https://kms.cn-north-9.amazonaws.com.cn/\"\n",
        ),
        (
            "aws sts get-caller-identity --region us-east1",
            "\nCould not connect to the endpoint URL: \"https://sts.us-east1.amazonaws.com/\"\n",
        ),
        (
            "aws cloudtrail lookup-events --region us-east1",
            "\nCould not connect to the endpoint URL: \"https://cloudtrail.us-east1.amazonaws.com/\"\n",
        ),
        (
            "aws cloudformation list-stacks --region us-east1",
            "\nCould not connect to the endpoint URL: \"https://cloudformation.us-east1.amazonaws.com/\"\n",
        ),
        // An empty --region is not the configured one: the client gets "".
        (
            "aws kms list-keys --region ''",
            "\nInvalid endpoint: https://kms..amazonaws.com\n",
        ),
        (
            "aws kms list-keys --region us_east_1",
            "\nProvided region_name 'us_east_1' doesn't match a supported format.\n",
        ),
    ] {
        let out = t.run(line);
        assert_eq!(
            (out.exit_code, out.stderr.as_str(), out.stdout.as_str()),
            (255, stderr, ""),
            "{line}"
        );
    }
    assert_eq!(t.calls, 0);
    // IAM's one endpoint answers whatever Region the CLI was given.
    for line in [
        "aws iam list-users --region mars-1",
        "aws iam list-users --region=",
    ] {
        assert_eq!(t.json(line)["Users"], json!([]), "{line}");
    }
    // Every Region of KMS, the console's default among them.
    let files = BTreeMap::new();
    for region in kms_core::regions::KMS_REGIONS {
        let ctx = Context::new(&files, region);
        for line in [
            "aws kms list-keys".to_string(),
            format!("aws sts get-caller-identity --region {region}"),
        ] {
            let Ok(Command::Call(inv)) = parse(&line, &ctx) else {
                panic!("{line}")
            };
            assert_eq!(inv.region, *region);
        }
    }
}

const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

fn usage_error(message: &str) -> (i32, String) {
    (252, format!("\n{USAGE}\naws: error: {message}\n\n"))
}

#[test]
fn file_urls_to_bytes_that_are_not_utf8_are_refused() {
    // paramfile.py's get_file opens file:// as text: a UnicodeDecodeError names the path it
    // opened (after expanduser), and says to use fileb://.
    let mut t = Term::new();
    t.files
        .insert("ct.bin".into(), vec![0x01, 0xff, 0xfe, 0x80]);
    let hint = "text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix.";
    let out = t.run("aws kms decrypt --ciphertext-blob file://ct.bin");
    assert_eq!(
        (out.exit_code, out.stderr),
        (
            252,
            format!("\nError parsing parameter '--ciphertext-blob': Unable to load paramfile (ct.bin), {hint}\n")
        )
    );
    let out = t.run("aws kms decrypt --ciphertext-blob file://~/ct.bin");
    assert_eq!(
        out.stderr,
        format!("\nError parsing parameter '--ciphertext-blob': Unable to load paramfile (/home/cloudshell-user/ct.bin), {hint}\n")
    );
    let out = t.run("aws kms list-keys --cli-input-json file://ct.bin");
    assert_eq!(
        (out.exit_code, out.stderr),
        (
            252,
            format!("\nError parsing parameter '--cli-input-json': Unable to load paramfile (ct.bin), {hint}\n")
        )
    );
    // A missing file: the OSError names the expanded path too.
    let out = t.run("aws kms decrypt --ciphertext-blob file://~/nope.bin");
    assert_eq!(out.stderr, "\nError parsing parameter '--ciphertext-blob': Unable to load paramfile file://~/nope.bin: [Errno 2] No such file or directory: '/home/cloudshell-user/nope.bin'\n");
    let out = t.run("aws kms decrypt --ciphertext-blob 'file://${HOME}/a/$HOMEX/$HOME'");
    assert_eq!(out.stderr, "\nError parsing parameter '--ciphertext-blob': Unable to load paramfile file://${HOME}/a/$HOMEX/$HOME: [Errno 2] No such file or directory: '/home/cloudshell-user/a/$HOMEX//home/cloudshell-user'\n");
    // fileb:// reads the same bytes as they are.
    let out = t.run("aws kms decrypt --ciphertext-blob fileb://ct.bin");
    assert_eq!(out.exit_code, 254, "{}", out.stderr);
    assert_eq!(t.calls, 1);
}

#[test]
fn options_may_be_abbreviated_to_a_unique_prefix() {
    let mut t = Term::new();
    // argparse's allow_abbrev: the main parser's options and the operation's.
    assert_eq!(
        t.ok("aws kms create-key --desc demo --query KeyMetadata.Description --out text"),
        "demo\n"
    );
    assert_eq!(
        t.ok("aws kms create-key --desc=again --q=KeyMetadata.Description --out=text --reg us-east-1"),
        "again\n"
    );
    assert_eq!(
        t.json("aws kms create-key --desc x --key-spec RSA_2048 --key-u SIGN_VERIFY --no-multi")
            ["KeyMetadata"]["KeyUsage"],
        "SIGN_VERIFY"
    );
    // An exact name wins over the longer names it begins; a prefix of two names is argparse's
    // ambiguity error, listing them in the parser's order (the model's: PolicyName, Policy).
    let id = t
        .ok("aws kms create-key --query KeyMetadata.KeyId --output text")
        .trim()
        .to_string();
    t.ok(&format!(
        "aws kms get-key-policy --key-id {id} --query Policy --output text > p.json"
    ));
    assert_eq!(
        t.ok(&format!(
            "aws kms put-key-policy --key-id {id} --policy file://p.json --policy-n default"
        )),
        ""
    );
    let out = t.run(&format!(
        "aws kms put-key-policy --key-id {id} --pol file://p.json"
    ));
    assert_eq!(
        (out.exit_code, out.stderr),
        usage_error("ambiguous option: --pol could match --policy-name, --policy")
    );
    let out = t.run("aws kms create-key --key SIGN_VERIFY");
    assert_eq!(
        (out.exit_code, out.stderr),
        usage_error("ambiguous option: --key could match --key-usage, --key-spec")
    );
    let out = t.run("aws kms list-keys --cli-input '{}'");
    assert_eq!(
        (out.exit_code, out.stderr),
        usage_error("ambiguous option: --cli-input could match --cli-input-json, --cli-input-yaml")
    );
    let out = t.run("aws kms list-keys --no");
    assert_eq!(
        (out.exit_code, out.stderr),
        usage_error("ambiguous option: --no could match --no-verify-ssl, --no-paginate, --no-sign-request, --no-cli-pager, --no-cli-auto-prompt")
    );
    // argparse reads every word before it acts on any: the ambiguity is the error, not the
    // option left without its value.
    let out = t.run("aws kms describe-key --key-id --c=x");
    assert_eq!(
        (out.exit_code, out.stderr),
        usage_error("ambiguous option: --c=x could match --color, --ca-bundle, --cli-read-timeout, --cli-connect-timeout, --cli-binary-format, --cli-auto-prompt")
    );
    // A prefix of none is still an unknown option; tab completion still offers full names.
    let out = t.run("aws kms list-keys --bogus");
    assert_eq!(out.exit_code, 252);
    assert!(out.stderr.ends_with("\nUnknown options: --bogus\n\n"));
    assert_eq!(
        kms_cli::complete("aws kms create-key --desc"),
        vec!["--description"]
    );
}

#[test]
fn yaml_stream_prints_nothing_for_an_empty_answer() {
    let mut t = Term::new();
    let id = t
        .ok("aws kms create-key --query KeyMetadata.KeyId --output text")
        .trim()
        .to_string();
    // StreamedYAMLFormatter: `if output == {}: return []` (after the query).
    assert_eq!(
        t.ok(&format!(
            "aws kms create-alias --alias-name alias/x --target-key-id {id} --output yaml-stream"
        )),
        ""
    );
    assert_eq!(
        t.ok(&format!(
            "aws kms describe-key --key-id {id} --query '`{{}}`' --output yaml-stream"
        )),
        ""
    );
    assert_eq!(
        t.ok(&format!(
            "aws kms describe-key --key-id {id} --query KeyMetadata.KeyState --output yaml-stream"
        )),
        "- Enabled\n"
    );
}

#[test]
fn page_size_only_where_the_paginator_has_a_limit_key() {
    let mut t = Term::new();
    // botocore's CloudFormation paginators have no limit_key: paginate.py adds no --page-size.
    for cmd in [
        "list-stacks",
        "describe-stacks",
        "list-exports",
        "list-imports --export-name e",
        "describe-stack-events --stack-name s",
        "list-stack-resources --stack-name s",
    ] {
        let out = t.run(&format!("aws cloudformation {cmd} --page-size 5"));
        assert_eq!(
            (out.exit_code, out.stderr),
            (
                252,
                format!("\n{USAGE}\nUnknown options: --page-size, 5\n\n")
            ),
            "{cmd}"
        );
        let help = t.ok(&format!(
            "aws cloudformation {} help",
            cmd.split(' ').next().unwrap()
        ));
        assert!(!help.contains("--page-size"), "{cmd}");
        assert!(help.contains("[--max-items <value>]"), "{cmd}");
    }
    assert_eq!(t.calls, 0);
    assert!(t
        .ok("aws kms list-keys help")
        .contains("[--page-size <value>]"));
    assert!(!kms_cli::complete("aws cloudformation list-stacks --").contains(&"--page-size".into()));
    assert!(kms_cli::complete("aws kms list-keys --").contains(&"--page-size".into()));
    // --max-items still pages them.
    assert_eq!(
        t.json("aws cloudformation list-stacks --max-items 5")["StackSummaries"],
        json!([])
    );
}

#[test]
fn page_size_goes_into_the_request_before_validation() {
    let mut t = Term::new();
    let out = t.run("aws kms list-keys --page-size 0");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nParameter validation failed:\nInvalid value for parameter Limit, value: 0, valid min value: 1\n"
        )
    );
    let out = t.run("aws iam list-users --page-size 0");
    assert_eq!(
        out.stderr,
        "\nParameter validation failed:\nInvalid value for parameter MaxItems, value: 0, valid min value: 1\n"
    );
    assert_eq!(t.calls, 0);
}

#[test]
fn retried_errors_name_the_retries_as_botocores_standard_mode_does() {
    use kms_core::{ErrorType, KmsError};
    let files = BTreeMap::new();
    let ctx = Context::new(&files, "us-east-1");
    let Ok(Command::Call(inv)) = parse("aws kms put-key-policy --key-id k --policy p", &ctx) else {
        panic!()
    };
    let stderr = |t: ErrorType| inv.render_error(&KmsError::new(t, "m")).stderr;
    // ThrottledRetryableChecker's codes and TransientRetryableChecker's statuses are retried.
    assert_eq!(
        stderr(ErrorType::LimitExceeded),
        "\nAn error occurred (LimitExceededException) when calling the PutKeyPolicy operation (reached max retries: 2): m\n"
    );
    assert_eq!(
        stderr(ErrorType::KmsInternal),
        "\nAn error occurred (KMSInternalException) when calling the PutKeyPolicy operation (reached max retries: 2): m\n"
    );
    // Others are not: IAM's LimitExceeded is not in botocore's list, and 4xx statuses are not.
    for t in [
        ErrorType::NotFound,
        ErrorType::IamLimitExceeded,
        ErrorType::ConcurrentModification,
    ] {
        assert!(!stderr(t).contains("max retries"), "{t:?}");
    }
}

#[test]
fn table_columns_count_ambiguous_width_characters_as_two() {
    let mut t = Term::new();
    // table.py: `east_asian_width(char) in 'WFA'` is two columns, so the CLI pads a cell of
    // è, û and é three columns short of the border (this golden is table.py's output).
    assert_eq!(
        t.ok("aws kms create-key --description 'Crème brûlée key' --query 'KeyMetadata.{Description: Description, State: KeyState}' --output table"),
        "-----------------------------------\n|            CreateKey            |\n+---------------------+-----------+\n|     Description     |   State   |\n+---------------------+-----------+\n|  Crème brûlée key |  Enabled  |\n+---------------------+-----------+\n"
    );
}

#[test]
fn fileb_bytes_for_a_string_parameter_fail_validation() {
    let mut t = Term::new();
    t.files
        .insert("p.json".into(), b"{\"Version\": \"2012-10-17\"}\n".to_vec());
    let out = t.run("aws kms put-key-policy --key-id k --policy fileb://p.json");
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nParameter validation failed:\nInvalid type for parameter Policy, value: b'{\"Version\": \"2012-10-17\"}\\n', type: <class 'bytes'>, valid types: <class 'str'>\n"
        )
    );
    // Python's bytes repr: double quotes when only a single quote is inside, \xhh past ASCII.
    t.files.insert("q.txt".into(), b"it's\t\xff".to_vec());
    let out = t.run("aws kms create-key --description fileb://q.txt");
    assert_eq!(
        out.stderr,
        "\nParameter validation failed:\nInvalid type for parameter Description, value: b\"it's\\t\\xff\", type: <class 'bytes'>, valid types: <class 'str'>\n"
    );
    assert_eq!(t.calls, 0);
}

#[test]
fn values_that_start_with_a_dash() {
    let mut t = Term::new();
    // argparse: a word with a space, or a negative number, is an argument, not an option.
    let desc = |t: &mut Term, line: &str| t.json(line)["KeyMetadata"]["Description"].clone();
    assert_eq!(
        desc(&mut t, "aws kms create-key --description '- demo key'"),
        "- demo key"
    );
    assert_eq!(desc(&mut t, "aws kms create-key --description -5"), "-5");
    assert_eq!(desc(&mut t, "aws kms create-key --description -.5"), "-.5");
    assert_eq!(
        desc(&mut t, "aws kms create-key --description '--not an option'"),
        "--not an option"
    );
    // Python 3.13's negative numbers are `-\d+` and `-\d*\.\d+` only.
    for v in ["-x", "-1e5", "-inf"] {
        let out = t.run(&format!("aws kms create-key --description {v}"));
        assert_eq!(
            (out.exit_code, out.stderr),
            usage_error("argument --description: expected one argument"),
            "{v}"
        );
    }
}

#[test]
fn yaml_quotes_strings_that_begin_with_a_document_marker() {
    let mut t = Term::new();
    assert_eq!(
        t.ok("aws kms create-key --description '--- x' --query KeyMetadata.Description --output yaml-stream"),
        "- '--- x'\n"
    );
    assert_eq!(
        t.ok("aws kms create-key --description ...more --query '{D: KeyMetadata.Description}' --output yaml"),
        "D: '...more'\n"
    );
    assert_eq!(
        t.ok("aws kms create-key --description=--x --query '{D: KeyMetadata.Description}' --output yaml"),
        "D: --x\n"
    );
}

#[test]
fn a_next_token_the_service_repeats_is_a_pagination_error() {
    let files = BTreeMap::new();
    let ctx = Context::new(&files, "us-east-1");
    let run_with = |line: &str| {
        let mut calls = 0;
        let out = run(line, &ctx, |_, _| {
            calls += 1;
            Ok(
                json!({"Keys": [{"KeyId": "k1", "KeyArn": "a1"}], "NextMarker": "abc", "Truncated": true}),
            )
        });
        (out, calls)
    };
    let stderr =
        "\nError during pagination: The same next token was received twice: {'Marker': 'abc'}\n";
    let (out, calls) = run_with("aws kms list-keys");
    assert_eq!(
        (
            out.exit_code,
            out.stdout.as_str(),
            out.stderr.as_str(),
            calls
        ),
        (255, "", stderr, 2)
    );
    // The streaming formats have printed the pages botocore yielded before it raised.
    let (out, _) = run_with("aws kms list-keys --output text");
    assert_eq!(
        (out.exit_code, out.stdout.as_str(), out.stderr.as_str()),
        (255, "KEYS\ta1\tk1\nKEYS\ta1\tk1\n", stderr)
    );
    let (out, _) = run_with("aws kms list-keys --output yaml-stream --query 'length(Keys)'");
    assert_eq!((out.exit_code, out.stdout.as_str()), (255, "- 1\n- 1\n"));
    // --max-items reached first: no error.
    let (out, calls) = run_with("aws kms list-keys --max-items 2 --query 'length(Keys)'");
    assert_eq!((out.exit_code, out.stdout.as_str(), calls), (0, "2\n", 2));
}
