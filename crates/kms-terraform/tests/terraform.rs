//! Terraform against the in-memory sandbox: the seed's create-kms.tf validates, plans, applies
//! and destroys through KMS; references, variables, updates and Terraform's errors.

use kms_core::{Sandbox, Service};
use kms_terraform::{run, Env, Outcome};
use serde_json::{json, Value};

const CREATE_KMS: &str = include_str!("data/create-kms.tf");

struct Dir {
    sb: Sandbox,
    files: Vec<(String, String)>,
    state: Option<String>,
    calls: Vec<String>,
}

impl Dir {
    fn new(files: &[(&str, &str)]) -> Dir {
        Dir {
            sb: Sandbox::in_memory(5),
            files: files
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
            state: None,
            calls: Vec::new(),
        }
    }

    fn tf(&mut self, line: &str) -> Outcome {
        let env = Env {
            region: "us-east-1".into(),
            account_id: "111122223333".into(),
        };
        let (sb, calls) = (&mut self.sb, &mut self.calls);
        let out = run(line, &self.files, self.state.as_deref(), &env, |c| {
            calls.push(format!("{} {}", c.region, c.operation));
            let region = std::mem::replace(&mut sb.region, c.region.clone());
            let r = sb.call_service(Service::Kms, &c.operation, c.input.clone());
            sb.region = region;
            r
        });
        if let Some(s) = &out.state {
            self.state = Some(s.clone());
        }
        out
    }

    fn ok(&mut self, line: &str) -> String {
        let out = self.tf(line);
        assert_eq!(out.exit_code, 0, "{line}\n{}\n{}", out.stdout, out.stderr);
        out.stdout
    }

    fn kms(&mut self, region: &str, op: &str, input: Value) -> Result<Value, kms_core::KmsError> {
        let old = std::mem::replace(&mut self.sb.region, region.into());
        let r = self.sb.call_service(Service::Kms, op, input);
        self.sb.region = old;
        r
    }
}

#[test]
fn create_kms_tf_validates_plans_applies_and_destroys() {
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    assert!(d
        .ok("terraform init")
        .contains("Terraform has been successfully initialized!"));
    assert_eq!(
        d.ok("terraform validate"),
        "Success! The configuration is valid.\n\n"
    );

    let plan = d.ok("terraform plan");
    assert!(
        plan.contains(
            "  # aws_kms_key.example will be created\n  + resource \"aws_kms_key\" \"example\" {\n"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("      + arn                                = (known after apply)\n"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "      + description                        = \"KMS key created with Terraform\"\n"
        ),
        "{plan}"
    );
    assert!(plan.contains("      + tags                               = {\n          + \"Environment\" = \"dev\"\n          + \"ManagedBy\"   = \"terraform\"\n        }\n"), "{plan}");
    assert!(
        plan.contains("  # aws_kms_alias.example will be created\n"),
        "{plan}"
    );
    assert!(
        plan.contains("      + name           = \"alias/my-terraform-key\"\n"),
        "{plan}"
    );
    assert!(
        plan.contains("      + target_key_id  = (known after apply)\n"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 2 to add, 0 to change, 0 to destroy.\n"),
        "{plan}"
    );
    assert!(plan.contains("Changes to Outputs:\n  + alias_arn = (known after apply)\n  + key_arn   = (known after apply)\n"), "{plan}");
    assert!(d.calls.is_empty(), "plan sends nothing");

    // Without -auto-approve the terminal cannot answer the prompt.
    let out = d.tf("terraform apply");
    assert_eq!(out.exit_code, 1);
    assert!(
        out.stdout
            .ends_with("  Enter a value: \n\nApply cancelled.\n"),
        "{}",
        out.stdout
    );
    assert!(out.state.is_none());

    let out = d.ok("terraform apply -auto-approve");
    assert!(out.contains("aws_kms_key.example: Creating...\naws_kms_key.example: Creation complete after 0s [id="), "{out}");
    assert!(
        out.contains(
            "aws_kms_alias.example: Creation complete after 0s [id=alias/my-terraform-key]\n"
        ),
        "{out}"
    );
    assert!(out.contains("\nApply complete! Resources: 2 added, 0 changed, 0 destroyed.\n\nOutputs:\n\nalias_arn = \"arn:aws:kms:ap-southeast-2:111122223333:alias/my-terraform-key\"\nkey_arn = \"arn:aws:kms:ap-southeast-2:111122223333:key/"), "{out}");
    // In the provider's Region (var.region), through KMS.
    assert_eq!(d.calls[0], "ap-southeast-2 CreateKey");
    assert!(d
        .calls
        .contains(&"ap-southeast-2 EnableKeyRotation".to_string()));
    assert!(d.calls.contains(&"ap-southeast-2 CreateAlias".to_string()));

    let key = d
        .kms(
            "ap-southeast-2",
            "DescribeKey",
            json!({"KeyId": "alias/my-terraform-key"}),
        )
        .unwrap();
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    assert_eq!(
        key["KeyMetadata"]["Description"],
        "KMS key created with Terraform"
    );
    let rot = d
        .kms(
            "ap-southeast-2",
            "GetKeyRotationStatus",
            json!({"KeyId": key_id}),
        )
        .unwrap();
    assert_eq!(rot["KeyRotationEnabled"], true);
    assert_eq!(rot["RotationPeriodInDays"], 365);
    let tags = d
        .kms(
            "ap-southeast-2",
            "ListResourceTags",
            json!({"KeyId": key_id}),
        )
        .unwrap();
    assert_eq!(tags["Tags"].as_array().unwrap().len(), 2);

    assert_eq!(
        d.ok("terraform state list"),
        "aws_kms_alias.example\naws_kms_key.example\n"
    );
    assert_eq!(
        d.ok("terraform output -raw alias_arn"),
        "arn:aws:kms:ap-southeast-2:111122223333:alias/my-terraform-key"
    );
    let show = d.ok("terraform show");
    assert!(
        show.contains("# aws_kms_key.example:\nresource \"aws_kms_key\" \"example\" {\n"),
        "{show}"
    );
    assert!(
        show.contains(&format!(
            "    key_id                             = \"{key_id}\"\n"
        )),
        "{show}"
    );
    let state: Value = serde_json::from_str(d.state.as_deref().unwrap()).unwrap();
    assert_eq!(state["version"], 4);
    assert_eq!(
        state["resources"][1]["instances"][0]["attributes"]["arn"],
        key["KeyMetadata"]["Arn"]
    );
    assert_eq!(
        state["resources"][0]["instances"][0]["dependencies"],
        json!(["aws_kms_key.example"])
    );

    // Nothing to do the second time.
    d.calls.clear();
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("aws_kms_key.example: Refreshing state... [id="),
        "{plan}"
    );
    assert!(
        plan.contains("No changes. Your infrastructure matches the configuration."),
        "{plan}"
    );
    assert!(d.calls.is_empty());

    // Destroy: the alias first, then the key's deletion in its deletion window.
    let out = d.ok("terraform destroy -auto-approve");
    assert!(out.contains("  # aws_kms_key.example will be destroyed\n  - resource \"aws_kms_key\" \"example\" {\n"), "{out}");
    assert!(
        out.contains("Plan: 0 to add, 0 to change, 2 to destroy.\n"),
        "{out}"
    );
    let alias_at = out.find("aws_kms_alias.example: Destroying...").unwrap();
    let key_at = out.find("aws_kms_key.example: Destroying...").unwrap();
    assert!(alias_at < key_at, "{out}");
    assert!(
        out.ends_with("\nDestroy complete! Resources: 2 destroyed.\n"),
        "{out}"
    );
    let key = d
        .kms("ap-southeast-2", "DescribeKey", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(key["KeyMetadata"]["KeyState"], "PendingDeletion");
    let deletion = key["KeyMetadata"]["DeletionDate"].as_f64().unwrap()
        - key["KeyMetadata"]["CreationDate"].as_f64().unwrap();
    assert_eq!(deletion, 7.0 * 86400.0);
    assert!(d
        .kms(
            "ap-southeast-2",
            "DescribeKey",
            json!({"KeyId": "alias/my-terraform-key"})
        )
        .is_err());
    assert_eq!(d.ok("terraform state list"), "");
}

#[test]
fn variables_updates_and_replacement() {
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    d.ok("terraform apply -auto-approve -var region=eu-west-1 -var alias_name=first");
    assert!(d
        .kms("eu-west-1", "DescribeKey", json!({"KeyId": "alias/first"}))
        .is_ok());
    // A new alias name replaces the alias; the key stays.
    let plan = d.ok("terraform plan -var region=eu-west-1 -var alias_name=second");
    assert!(plan.contains("  # aws_kms_alias.example must be replaced\n-/+ resource \"aws_kms_alias\" \"example\" {\n"), "{plan}");
    assert!(
        plan.contains(
            "~ name           = \"alias/first\" -> \"alias/second\" # forces replacement"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 1 to destroy.\n"),
        "{plan}"
    );
    d.ok("terraform apply -auto-approve -var region=eu-west-1 -var alias_name=second");
    assert!(d
        .kms("eu-west-1", "DescribeKey", json!({"KeyId": "alias/first"}))
        .is_err());
    assert!(d
        .kms("eu-west-1", "DescribeKey", json!({"KeyId": "alias/second"}))
        .is_ok());

    // A new description is an update in place.
    let edited = CREATE_KMS.replace("KMS key created with Terraform", "edited");
    d.files[0].1 = edited;
    let plan = d.ok("terraform plan -var region=eu-west-1 -var alias_name=second");
    assert!(plan.contains("  # aws_kms_key.example will be updated in-place\n  ~ resource \"aws_kms_key\" \"example\" {\n      ~ description                        = \"KMS key created with Terraform\" -> \"edited\"\n"), "{plan}");
    // Unchanged tags are always shown, as id is; the rest is counted.
    assert!(plan.contains("        tags                               = {\n            \"Environment\" = \"dev\"\n            \"ManagedBy\"   = \"terraform\"\n        }\n        # (12 unchanged attributes hidden)\n"), "{plan}");
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy.\n"),
        "{plan}"
    );
    let out = d.ok("terraform apply -auto-approve -var region=eu-west-1 -var alias_name=second");
    assert!(
        out.contains("aws_kms_key.example: Modifying... [id="),
        "{out}"
    );
    let key = d
        .kms("eu-west-1", "DescribeKey", json!({"KeyId": "alias/second"}))
        .unwrap();
    assert_eq!(key["KeyMetadata"]["Description"], "edited");
}

#[test]
fn validation_errors_read_as_terraforms() {
    let bad = r#"resource "aws_kms_key" "a" {
  description = "x"
  colour      = "blue"
}

resource "aws_kms_alias" "b" {
  name = "alias/b"
}

resource "aws_kms_alias" "c" {
  name          = "alias/c"
  target_key_id = aws_kms_key.missing.key_id
}

output "o" {
  value = var.nope
}
"#;
    let mut d = Dir::new(&[("main.tf", bad)]);
    let out = d.tf("terraform validate");
    assert_eq!(out.exit_code, 1);
    assert!(out.stderr.contains("╷\n│ Error: Unsupported argument\n│\n│   on main.tf line 3, in resource \"aws_kms_key\" \"a\":\n│    3:   colour      = \"blue\"\n│\n│ An argument named \"colour\" is not expected here.\n╵\n"), "{}", out.stderr);
    assert!(out.stderr.contains("│ Error: Missing required argument\n│\n│   on main.tf line 6, in resource \"aws_kms_alias\" \"b\":\n│    6: resource \"aws_kms_alias\" \"b\" {\n│\n│ The argument \"target_key_id\" is required, but no definition was found.\n"), "{}", out.stderr);
    assert!(out.stderr.contains("│ Error: Reference to undeclared resource\n│\n│   on main.tf line 12, in resource \"aws_kms_alias\" \"c\":\n│   12:   target_key_id = aws_kms_key.missing.key_id\n│\n│ A managed resource \"aws_kms_key\" \"missing\" has not been declared in the\n│ root module.\n"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("│ Error: Reference to undeclared input variable\n"),
        "{}",
        out.stderr
    );
    // An attribute the resource type does not export, and the provider's value checks.
    let mut d = Dir::new(&[("main.tf", "resource \"aws_kms_key\" \"a\" {\n  key_usage = \"SIGN\"\n  deletion_window_in_days = 3\n}\noutput \"x\" { value = aws_kms_key.a.colour }\n")]);
    let out = d.tf("terraform validate");
    assert!(
        out.stderr.contains(
            "│ This object has no argument, nested block, or exported attribute named\n│ \"colour\"."
        ),
        "{}",
        out.stderr
    );
    let mut d = Dir::new(&[(
        "main.tf",
        "resource \"aws_kms_key\" \"a\" {\n  key_usage = \"SIGN\"\n}\n",
    )]);
    let out = d.tf("terraform validate");
    assert!(out.stderr.contains("│ Error: expected key_usage to be one of [\"ENCRYPT_DECRYPT\" \"SIGN_VERIFY\" \"GENERATE_VERIFY_MAC\" \"KEY_AGREEMENT\"], got SIGN\n"), "{}", out.stderr);
    // A variable without a value.
    let mut d = Dir::new(&[(
        "main.tf",
        "variable \"d\" {}\nresource \"aws_kms_key\" \"a\" {\n  description = var.d\n}\n",
    )]);
    let out = d.tf("terraform plan");
    assert!(
        out.stderr
            .contains("│ Error: No value for required variable\n"),
        "{}",
        out.stderr
    );
    assert!(d
        .ok("terraform plan -var 'd=from the command line'")
        .contains("+ description                        = \"from the command line\""));
}

#[test]
fn replica_grant_and_key_policy_resources() {
    let tf = r#"
provider "aws" {
  region = "us-west-2"
}

resource "aws_kms_key" "primary" {
  description  = "primary"
  multi_region = true
}

resource "aws_kms_replica_key" "replica" {
  description     = "replica"
  primary_key_arn = aws_kms_key.primary.arn
}

resource "aws_kms_grant" "g" {
  name              = "app"
  key_id            = aws_kms_key.primary.key_id
  grantee_principal = "arn:aws:iam::111122223333:root"
  operations        = ["Encrypt", "Decrypt"]
}

resource "aws_kms_key_policy" "p" {
  key_id = aws_kms_key.primary.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
"#;
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform apply -auto-approve");
    // The replica is made in the primary's Region (us-west-2) into the provider's (also
    // us-west-2): KMS refuses a replica in the primary's own Region, as AWS does.
    assert_eq!(out.exit_code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("Error: creating KMS Replica Key: operation error KMS: ReplicateKey"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("│   with aws_kms_replica_key.replica,\n"),
        "{}",
        out.stderr
    );
    // What was made before the failure is in the state.
    let list = d.ok("terraform state list");
    assert!(list.contains("aws_kms_key.primary\n"), "{list}");

    // The replica in another Region: a second configuration whose provider is elsewhere.
    let primary_arn = {
        let st: Value = serde_json::from_str(d.state.as_deref().unwrap()).unwrap();
        st["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "primary")
            .unwrap()["instances"][0]["attributes"]["arn"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut e = Dir::new(&[("main.tf", &format!("provider \"aws\" {{\n  region = \"eu-west-1\"\n}}\nresource \"aws_kms_replica_key\" \"r\" {{\n  primary_key_arn = \"{primary_arn}\"\n  deletion_window_in_days = 7\n}}\n"))]);
    e.sb = std::mem::replace(&mut d.sb, Sandbox::in_memory(1));
    let out = e.ok("terraform apply -auto-approve");
    assert!(
        out.contains("aws_kms_replica_key.r: Creation complete after 0s [id=mrk-"),
        "{out}"
    );
    let st: Value = serde_json::from_str(e.state.as_deref().unwrap()).unwrap();
    let replica_arn = st["resources"][0]["instances"][0]["attributes"]["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        replica_arn.starts_with("arn:aws:kms:eu-west-1:"),
        "{replica_arn}"
    );
    e.ok("terraform destroy -auto-approve");
    let k = e
        .kms("eu-west-1", "DescribeKey", json!({"KeyId": replica_arn}))
        .unwrap();
    assert_eq!(k["KeyMetadata"]["KeyState"], "PendingDeletion");
}

#[test]
fn grant_and_key_policy_apply_and_destroy() {
    let tf = r#"
resource "aws_kms_key" "k" {}

resource "aws_kms_grant" "g" {
  name              = "app"
  key_id            = aws_kms_key.k.key_id
  grantee_principal = "arn:aws:iam::111122223333:root"
  operations        = ["Encrypt", "Decrypt"]
}

resource "aws_kms_key_policy" "p" {
  key_id = aws_kms_key.k.id
  policy = jsonencode({
    Version = "2012-10-17"
    Id      = "custom"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

output "grant" {
  value = aws_kms_grant.g.grant_id
}
"#;
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.ok("terraform apply -auto-approve");
    assert!(
        out.contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    let st: Value = serde_json::from_str(d.state.as_deref().unwrap()).unwrap();
    let key_id = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_kms_key")
        .unwrap()["instances"][0]["attributes"]["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let grants = d
        .kms("us-east-1", "ListGrants", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(grants["Grants"].as_array().unwrap().len(), 1);
    assert_eq!(grants["Grants"][0]["Name"], "app");
    let policy = d
        .kms("us-east-1", "GetKeyPolicy", json!({"KeyId": key_id}))
        .unwrap();
    assert!(policy["Policy"].as_str().unwrap().contains("custom"));
    d.ok("terraform destroy -auto-approve");
    let grants = d
        .kms("us-east-1", "ListGrants", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(grants["Grants"].as_array().unwrap().len(), 0);
}

#[test]
fn outputs_refresh_order_and_empty_destroys_print_as_terraform_does() {
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    d.ok("terraform apply -auto-approve");
    let arn = d.ok("terraform output -raw key_arn");
    // A key first, then what refers to it.
    let plan = d.ok("terraform plan");
    let key_at = plan
        .find("aws_kms_key.example: Refreshing state...")
        .unwrap();
    let alias_at = plan
        .find("aws_kms_alias.example: Refreshing state...")
        .unwrap();
    assert!(key_at < alias_at, "{plan}");

    // An output added, one changed, one sensitive: an output-only plan.
    let more = CREATE_KMS.replace(
        "output \"key_arn\" {\n  value = aws_kms_key.example.arn\n}",
        "output \"key_arn\" {\n  value = \"changed\"\n}\n\noutput \"secret_id\" {\n  value     = aws_kms_key.example.key_id\n  sensitive = true\n}",
    );
    d.files = vec![("create-kms.tf".into(), more)];
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains(&format!(
            "Changes to Outputs:\n  ~ key_arn   = \"{arn}\" -> \"changed\"\n  + secret_id = (sensitive value)\n\nYou can apply this plan to save these new output values to the Terraform\nstate, without changing any real infrastructure.\n"
        )),
        "{plan}"
    );
    d.files = vec![("create-kms.tf".into(), CREATE_KMS.to_string())];

    // Destroy: each output's value goes to null.
    let out = d.ok("terraform destroy -auto-approve");
    assert!(
        out.contains(&format!("  - key_arn   = \"{arn}\" -> null\n")),
        "{out}"
    );
    // Nothing left to destroy.
    let out = d.ok("terraform destroy -auto-approve");
    assert!(
        out.contains("\nNo changes. No objects need to be destroyed.\n\nEither you have not created any objects yet or the existing objects were\nalready deleted outside of Terraform.\n"),
        "{out}"
    );
}

#[test]
fn a_tag_change_is_rendered_element_by_element() {
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    d.ok("terraform apply -auto-approve");
    let retagged = CREATE_KMS.replace(
        "    Environment = \"dev\"\n    ManagedBy   = \"terraform\"\n",
        "    Environment = \"prod\"\n    ManagedBy   = \"terraform\"\n    Team        = \"x\"\n",
    );
    d.files = vec![("create-kms.tf".into(), retagged)];
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("      ~ tags                               = {\n          ~ \"Environment\" = \"dev\" -> \"prod\"\n          + \"Team\"        = \"x\"\n            # (1 unchanged element hidden)\n        }\n"),
        "{plan}"
    );
}

#[test]
fn removed_resources_show_and_untagged_keys_print_as_terraform_does() {
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    d.ok("terraform apply -auto-approve");
    let show = d.ok("terraform show");
    assert!(
        show.contains("    tags                               = {\n        \"Environment\" = \"dev\"\n        \"ManagedBy\"   = \"terraform\"\n    }\n"),
        "{show}"
    );
    // The alias leaves the configuration.
    let start = CREATE_KMS.find("resource \"aws_kms_alias\"").unwrap();
    let end = start + CREATE_KMS[start..].find("}\n").unwrap() + 2;
    let without = CREATE_KMS[..start].to_string() + &CREATE_KMS[end..];
    let without = without.replace(
        "output \"alias_arn\" {\n  value = aws_kms_alias.example.arn\n}\n",
        "",
    );
    d.files = vec![("create-kms.tf".into(), without)];
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("  # aws_kms_alias.example will be destroyed\n  # (because aws_kms_alias.example is not in configuration)\n  - resource \"aws_kms_alias\" \"example\" {\n"),
        "{plan}"
    );
    d.files = vec![("create-kms.tf".into(), CREATE_KMS.to_string())];
    d.ok("terraform destroy -auto-approve");
    assert_eq!(
        d.ok("terraform show"),
        "The state file is empty. No resources are represented.\n"
    );
    // A key without tags: tags_all is the provider's to compute.
    let mut d = Dir::new(&[("main.tf", "resource \"aws_kms_key\" \"a\" {}\n")]);
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("      + tags_all                           = (known after apply)\n"),
        "{plan}"
    );
    assert_eq!(d.ok("terraform show"), "No state.\n");
}

#[test]
fn var_files_flags_and_the_providers_alias_checks() {
    let mut d = Dir::new(&[
        ("create-kms.tf", CREATE_KMS),
        ("prod.tfvars", "alias_name = \"prod-key\"\n"),
    ]);
    let plan = d.ok("terraform plan -var-file=prod.tfvars");
    assert!(
        plan.contains("      + name           = \"alias/prod-key\"\n"),
        "{plan}"
    );
    let plan = d.ok("terraform plan -var-file prod.tfvars -var alias_name=cli");
    assert!(plan.contains("\"alias/cli\""), "{plan}");
    let out = d.tf("terraform plan -var-file=missing.tfvars");
    assert_eq!(out.exit_code, 1);
    assert!(
        out.stderr.contains("│ Error: Failed to read variables file\n│\n│ Given variables file missing.tfvars does not exist.\n"),
        "{}",
        out.stderr
    );
    let out = d.tf("terraform plan -foo");
    assert_eq!(
        out.stderr,
        "╷\n│ Error: Failed to parse command-line flags\n│\n│ flag provided but not defined: -foo\n╵\n\nFor more help on using this command, run:\n  terraform plan -help\n"
    );
    // plan -destroy plans the destroy.
    d.ok("terraform apply -auto-approve");
    let plan = d.ok("terraform plan -destroy");
    assert!(
        plan.contains("Plan: 0 to add, 0 to change, 2 to destroy.\n"),
        "{plan}"
    );

    // The provider's alias name checks, with the resource named.
    for (name, message) in [
        (
            "alias/aws/mine",
            "\"name\" cannot begin with reserved AWS CMK prefix 'alias/aws/'",
        ),
        (
            "alias/has space",
            "\"name\" must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]",
        ),
    ] {
        let tf = format!("resource \"aws_kms_key\" \"k\" {{}}\nresource \"aws_kms_alias\" \"a\" {{\n  name          = \"{name}\"\n  target_key_id = aws_kms_key.k.key_id\n}}\n");
        let mut d = Dir::new(&[("main.tf", tf.as_str())]);
        let out = d.tf("terraform validate");
        assert_eq!(out.exit_code, 1);
        assert!(
            out.stderr.contains(&format!("│ Error: {message}\n│\n│   with aws_kms_alias.a,\n│   on main.tf line 3, in resource \"aws_kms_alias\" \"a\":\n")),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn show_json_is_terraforms_json_output_format() {
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    assert_eq!(
        d.ok("terraform show -json"),
        "{\"format_version\":\"1.0\",\"terraform_version\":\"1.9.8\"}\n"
    );
    d.ok("terraform apply -auto-approve");
    let text = d.ok("terraform show -json");
    assert_eq!(text.lines().count(), 1, "one line");
    let v: Value = serde_json::from_str(&text).unwrap();
    let resources = v["values"]["root_module"]["resources"].as_array().unwrap();
    let key = resources
        .iter()
        .find(|r| r["address"] == "aws_kms_key.example")
        .unwrap();
    assert_eq!(key["mode"], "managed");
    assert_eq!(key["provider_name"], "registry.terraform.io/hashicorp/aws");
    assert_eq!(
        key["values"]["description"],
        "KMS key created with Terraform"
    );
    assert!(v["values"]["outputs"]["key_arn"]["value"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:kms:"));
}

#[test]
fn syntax_errors_read_as_hclsyntax_reports_them() {
    for (tf, summary, line) in [
        (
            "resource \"aws_kms_key\" \"a\" {\n  description = \n}\n",
            "Invalid expression",
            "│   on main.tf line 2, in resource \"aws_kms_key\" \"a\":\n│    2:   description =\n",
        ),
        (
            "resource \"aws_kms_key\" \"a\" {\n  description = \"x\"\n",
            "Unclosed configuration block",
            "│   on main.tf line 1, in resource \"aws_kms_key\" \"a\":\n│    1: resource \"aws_kms_key\" \"a\" {\n",
        ),
        (
            "resource \"aws_kms_key\" \"a\" {\n  description \"x\"\n}\n",
            "Argument or block definition required",
            "│   on main.tf line 2, in resource \"aws_kms_key\" \"a\":\n",
        ),
    ] {
        let mut d = Dir::new(&[("main.tf", tf)]);
        let out = d.tf("terraform validate");
        assert_eq!(out.exit_code, 1);
        assert!(
            out.stderr.starts_with(&format!("╷\n│ Error: {summary}\n│\n{line}")),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn every_value_the_provider_refuses_is_reported() {
    let tf = "resource \"aws_kms_key\" \"a\" {\n  key_usage               = \"FOO\"\n  rotation_period_in_days = 10\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform validate");
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        out.stderr.matches("╷\n│ Error: ").count(),
        2,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("expected key_usage to be one of"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("expected rotation_period_in_days to be in the range (90 - 2560), got 10"),
        "{}",
        out.stderr
    );
    let out = d.tf("terraform plan");
    assert_eq!(
        out.stderr.matches("╷\n│ Error: ").count(),
        2,
        "{}",
        out.stderr
    );
}
