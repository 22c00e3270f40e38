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
    // The refresh reads each resource back as the provider's Read does.
    assert_eq!(
        d.calls,
        [
            "ap-southeast-2 DescribeKey",
            "ap-southeast-2 GetKeyPolicy",
            "ap-southeast-2 GetKeyRotationStatus",
            "ap-southeast-2 ListResourceTags",
            "ap-southeast-2 ListAliases"
        ]
    );

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
    // The choices in the AWS SDK's order (KeyUsageType.Values()).
    assert!(out.stderr.contains("│ Error: expected key_usage to be one of [\"SIGN_VERIFY\" \"ENCRYPT_DECRYPT\" \"GENERATE_VERIFY_MAC\" \"KEY_AGREEMENT\"], got SIGN\n"), "{}", out.stderr);
    // validation.StringLenBetween(0, 8192) on description.
    let long = "d".repeat(8193);
    let mut d = Dir::new(&[(
        "main.tf",
        &format!("resource \"aws_kms_key\" \"a\" {{\n  description = \"{long}\"\n}}\n"),
    )]);
    let out = d.tf("terraform validate");
    assert!(
        out.stderr.contains(&format!(
            "│ Error: expected length of description to be in the range (0 - 8192), got {long}"
        )),
        "{}",
        out.stderr
    );
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
        // tags is one of the block's important attributes: its unchanged elements are shown.
        plan.contains("      ~ tags                               = {\n          ~ \"Environment\" = \"dev\" -> \"prod\"\n            \"ManagedBy\"   = \"terraform\"\n          + \"Team\"        = \"x\"\n        }\n"),
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
    let tf = "resource \"aws_kms_key\" \"a\" {\n  key_usage               = \"FOO\"\n  enable_key_rotation     = true\n  rotation_period_in_days = 10\n}\n";
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

#[test]
fn each_resource_is_validated_on_its_own_and_errors_print_in_source_order() {
    // y's unknown argument does not keep the provider from checking x, which comes first.
    let tf = "resource \"aws_kms_key\" \"x\" { deletion_window_in_days = 5 }\nresource \"aws_kms_key\" \"y\" { foo = \"bar\" }\n";
    let expected = "╷\n│ Error: expected deletion_window_in_days to be in the range (7 - 30), got 5\n│\n│   with aws_kms_key.x,\n│   on main.tf line 1, in resource \"aws_kms_key\" \"x\":\n│    1: resource \"aws_kms_key\" \"x\" { deletion_window_in_days = 5 }\n│\n╵\n╷\n│ Error: Unsupported argument\n│\n│   on main.tf line 2, in resource \"aws_kms_key\" \"y\":\n│    2: resource \"aws_kms_key\" \"y\" { foo = \"bar\" }\n│\n│ An argument named \"foo\" is not expected here.\n╵\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    for cmd in ["terraform validate", "terraform plan"] {
        let out = d.tf(cmd);
        assert_eq!(out.exit_code, 1, "{cmd}");
        assert_eq!(out.stderr, expected, "{cmd}");
    }
    // A resource with errors of its own gets no provider checks; one referring to it still
    // does (resources are unknown to each other when validating).
    let tf = "resource \"aws_kms_key\" \"k\" {\n  deletion_window_in_days = 1\n  colour = \"blue\"\n}\nresource \"aws_kms_alias\" \"a\" {\n  name          = \"alias/aws/k\"\n  target_key_id = aws_kms_key.k.key_id\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform validate");
    assert_eq!(
        out.stderr.matches("╷\n│ Error: ").count(),
        2,
        "{}",
        out.stderr
    );
    let unsupported = out.stderr.find("│ Error: Unsupported argument\n").unwrap();
    let reserved = out
        .stderr
        .find("│ Error: \"name\" cannot begin with reserved AWS CMK prefix 'alias/aws/'\n")
        .unwrap();
    assert!(unsupported < reserved, "{}", out.stderr);
    // A reference to an undeclared resource is that error alone, not a cycle.
    let tf = "resource \"aws_kms_alias\" \"a\" {\n  name          = \"alias/a\"\n  target_key_id = aws_kms_key.missing.key_id\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform validate");
    assert!(
        out.stderr
            .starts_with("╷\n│ Error: Reference to undeclared resource\n"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("Cycle"), "{}", out.stderr);
}

#[test]
fn custom_key_store_arguments_and_timeouts_are_the_providers() {
    let tf = "resource \"aws_kms_key\" \"k\" {\n  custom_key_store_id = \"cks-1234567890abcdef0\"\n  xks_key_id          = \"ext-key-1\"\n\n  timeouts {\n    create = \"5m\"\n  }\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    assert_eq!(
        d.ok("terraform validate"),
        "Success! The configuration is valid.\n\n"
    );
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("      + custom_key_store_id                = \"cks-1234567890abcdef0\"\n"),
        "{plan}"
    );
    assert!(
        plan.contains("      + xks_key_id                         = \"ext-key-1\"\n"),
        "{plan}"
    );
    // CreateKey gets the store (and the provider's origin): the sandbox has no such store.
    let out = d.tf("terraform apply -auto-approve");
    assert_eq!(out.exit_code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains(", CustomKeyStoreNotFoundException: Custom key store cks-1234567890abcdef0 does not exist.\n"),
        "{}",
        out.stderr
    );
    assert_eq!(d.calls, ["us-east-1 CreateKey"]);

    // The provider's own checks of them: a timeouts block has only `create`, xks_key_id needs
    // custom_key_store_id, and each has a length.
    let tf = "resource \"aws_kms_key\" \"a\" {\n  timeouts {\n    delete = \"5m\"\n  }\n}\nresource \"aws_kms_key\" \"b\" {\n  xks_key_id = \"ext-key-1\"\n}\nresource \"aws_kms_key\" \"c\" {\n  custom_key_store_id = \"cks-1234567890abcdef0123\"\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform validate");
    assert_eq!(
        out.stderr,
        "╷\n│ Error: Unsupported argument\n│\n│   on main.tf line 3, in resource \"aws_kms_key\" \"a\":\n│    3:     delete = \"5m\"\n│\n│ An argument named \"delete\" is not expected here.\n╵\n╷\n│ Error: Missing required argument\n│\n│   with aws_kms_key.b,\n│   on main.tf line 7, in resource \"aws_kms_key\" \"b\":\n│    7:   xks_key_id = \"ext-key-1\"\n│\n│ \"xks_key_id\": all of `custom_key_store_id,xks_key_id` must be specified\n╵\n╷\n│ Error: expected length of custom_key_store_id to be in the range (1 - 22), got cks-1234567890abcdef0123\n│\n│   with aws_kms_key.c,\n│   on main.tf line 10, in resource \"aws_kms_key\" \"c\":\n│   10:   custom_key_store_id = \"cks-1234567890abcdef0123\"\n│\n╵\n"
    );

    // A change of store replaces the key (ForceNew).
    let mut d = Dir::new(&[("main.tf", "resource \"aws_kms_key\" \"k\" {}\n")]);
    d.ok("terraform apply -auto-approve");
    d.files[0].1 =
        "resource \"aws_kms_key\" \"k\" {\n  custom_key_store_id = \"cks-1234567890abcdef0\"\n}\n"
            .into();
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("      + custom_key_store_id                = \"cks-1234567890abcdef0\" # forces replacement\n"),
        "{plan}"
    );
}

#[test]
fn api_errors_read_as_the_go_sdk_words_them() {
    let uuid = |s: &str| {
        s.len() == 36
            && s.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            })
    };
    // An exception CreateAlias's model lists: its own type, `Code: message`.
    let tf = "resource \"aws_kms_key\" \"k\" {}\nresource \"aws_kms_alias\" \"a\" {\n  name          = \"alias/dup\"\n  target_key_id = aws_kms_key.k.key_id\n}\nresource \"aws_kms_alias\" \"b\" {\n  name          = \"alias/dup\"\n  target_key_id = aws_kms_key.k.key_id\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform apply -auto-approve");
    assert_eq!(out.exit_code, 1);
    let head = "╷\n│ Error: creating KMS Alias (alias/dup): operation error KMS: CreateAlias, https response error StatusCode: 400, RequestID: ";
    assert!(out.stderr.starts_with(head), "{}", out.stderr);
    let (id, rest) = out.stderr[head.len()..].split_at(36);
    assert!(uuid(id), "{id}");
    assert!(
        rest.starts_with(", AlreadyExistsException: An alias with the name arn:aws:kms:us-east-1:111122223333:alias/dup already exists\n│\n│   with aws_kms_alias.b,\n│   on main.tf line 6, in resource \"aws_kms_alias\" \"b\":\n"),
        "{rest}"
    );
    // One the model does not list for the operation: a generic `api error` (the provider checks
    // an alias name's characters, not its length).
    let tf = format!("resource \"aws_kms_key\" \"k\" {{}}\nresource \"aws_kms_alias\" \"a\" {{\n  name          = \"alias/{}\"\n  target_key_id = aws_kms_key.k.key_id\n}}\n", "a".repeat(300));
    let tf = tf.as_str();
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform apply -auto-approve");
    assert!(
        out.stderr
            .contains(", api error ValidationException: 1 validation error detected: "),
        "{}",
        out.stderr
    );
}

#[test]
fn name_and_name_prefix_conflict_each_at_its_own_line() {
    let tf = "resource \"aws_kms_key\" \"k\" {}\nresource \"aws_kms_alias\" \"a\" {\n  name          = \"alias/aws/a b\"\n  name_prefix   = \"alias/\"\n  target_key_id = aws_kms_key.k.key_id\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform validate");
    assert_eq!(out.exit_code, 1);
    // The SDK checks a conflict before the value: neither name is checked further.
    assert_eq!(
        out.stderr,
        "╷\n│ Error: Conflicting configuration arguments\n│\n│   with aws_kms_alias.a,\n│   on main.tf line 3, in resource \"aws_kms_alias\" \"a\":\n│    3:   name          = \"alias/aws/a b\"\n│\n│ \"name\": conflicts with name_prefix\n╵\n╷\n│ Error: Conflicting configuration arguments\n│\n│   with aws_kms_alias.a,\n│   on main.tf line 4, in resource \"aws_kms_alias\" \"a\":\n│    4:   name_prefix   = \"alias/\"\n│\n│ \"name_prefix\": conflicts with name\n╵\n"
    );
}

#[test]
fn key_specs_prefixes_outputs_and_init_read_as_terraform_v1_and_the_provider_v5_80() {
    // The KeySpec values of the v5.80 provider's SDK, in its order.
    let mut d = Dir::new(&[(
        "main.tf",
        "resource \"aws_kms_key\" \"k\" {\n  customer_master_key_spec = \"ML_DSA_44\"\n}\n",
    )]);
    let out = d.tf("terraform validate");
    assert!(
        out.stderr.starts_with("╷\n│ Error: expected customer_master_key_spec to be one of [\"RSA_2048\" \"RSA_3072\" \"RSA_4096\" \"ECC_NIST_P256\" \"ECC_NIST_P384\" \"ECC_NIST_P521\" \"ECC_SECG_P256K1\" \"SYMMETRIC_DEFAULT\" \"HMAC_224\" \"HMAC_256\" \"HMAC_384\" \"HMAC_512\" \"SM2\"], got ML_DSA_44\n"),
        "{}",
        out.stderr
    );

    // name_prefix has the name's checks: something after `alias/`, not `alias/aws/`.
    for (prefix, message) in [
        (
            "alias/",
            "\"name_prefix\" must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]",
        ),
        (
            "alias/aws/x",
            "\"name_prefix\" cannot begin with reserved AWS CMK prefix 'alias/aws/'",
        ),
    ] {
        let tf = format!("resource \"aws_kms_alias\" \"a\" {{\n  name_prefix   = \"{prefix}\"\n  target_key_id = \"k\"\n}}\n");
        let mut d = Dir::new(&[("main.tf", tf.as_str())]);
        let out = d.tf("terraform validate");
        assert_eq!(
            out.stderr,
            format!("╷\n│ Error: {message}\n│\n│   with aws_kms_alias.a,\n│   on main.tf line 2, in resource \"aws_kms_alias\" \"a\":\n│    2:   name_prefix   = \"{prefix}\"\n│\n╵\n")
        );
    }

    // `terraform output`'s diagnostics in the same box as every other: a warning on stdout.
    let mut d = Dir::new(&[("main.tf", "resource \"aws_kms_key\" \"k\" {}\n")]);
    for cmd in ["terraform output", "terraform output nope"] {
        let out = d.tf(cmd);
        assert_eq!(out.exit_code, 0, "{cmd}");
        assert_eq!(
            out.stdout,
            "╷\n│ Warning: No outputs found\n│\n│ The state file either has no outputs defined, or all the defined outputs\n│ are empty. Please define an output in your configuration with the `output`\n│ keyword and run `terraform refresh` for it to become available. If you are\n│ using interpolation, please verify the interpolated value is not empty. You\n│ can use the `terraform console` command to assist.\n╵\n",
            "{cmd}"
        );
    }
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    d.ok("terraform apply -auto-approve");
    let out = d.tf("terraform output nope");
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        out.stderr,
        "╷\n│ Error: Output \"nope\" not found\n│\n│ The output variable requested could not be found in the state file. If you\n│ recently added this to your configuration, be sure to run `terraform\n│ apply`, since the state won't be updated with new output variables until\n│ that command is run.\n╵\n"
    );

    // init: the version constraint when there is one, else the latest; and the lock file.
    let lock = "\n\nTerraform has created a lock file .terraform.lock.hcl to record the provider\nselections it made above. Include this file in your version control repository\nso that Terraform can guarantee to make the same selections by default when\nyou run \"terraform init\" in the future.\n\nTerraform has been successfully initialized!\n";
    let init = d.ok("terraform init");
    assert!(
        init.contains("\n- Finding hashicorp/aws versions matching \"~> 5.0\"...\n"),
        "{init}"
    );
    assert!(init.contains(lock), "{init}");
    let mut d = Dir::new(&[("main.tf", "resource \"aws_kms_key\" \"k\" {}\n")]);
    let init = d.ok("terraform init");
    assert!(
        init.starts_with("\nInitializing the backend...\n\nInitializing provider plugins...\n- Finding latest version of hashicorp/aws...\n- Installing hashicorp/aws v5.80.0...\n"),
        "{init}"
    );
    assert!(init.contains(lock), "{init}");
}

fn attr(d: &Dir, address: &str, name: &str) -> Value {
    let st: Value = serde_json::from_str(d.state.as_deref().unwrap()).unwrap();
    st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            format!(
                "{}.{}",
                r["type"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            ) == address
        })
        .map(|r| r["instances"][0]["attributes"][name].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn refresh_reads_kms_drops_what_is_gone_and_notes_changes_outside_terraform() {
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    d.ok("terraform apply -auto-approve");
    let key_id = attr(&d, "aws_kms_key.example", "key_id")
        .as_str()
        .unwrap()
        .to_string();
    let region = "ap-southeast-2";

    // A description changed outside: the refresh reads it and the plan puts it back. The key's
    // own drift is not referred to by any change, so no note is printed.
    d.kms(
        region,
        "UpdateKeyDescription",
        json!({"KeyId": key_id, "Description": "changed outside"}),
    )
    .unwrap();
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("      ~ description                        = \"changed outside\" -> \"KMS key created with Terraform\"\n"),
        "{plan}"
    );
    assert!(
        !plan.contains("Objects have changed outside of Terraform"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy.\n"),
        "{plan}"
    );
    // A plan writes no state; an apply writes the refreshed one.
    d.ok("terraform apply -auto-approve");
    assert_eq!(
        d.kms(region, "DescribeKey", json!({"KeyId": key_id}))
            .unwrap()["KeyMetadata"]["Description"],
        "KMS key created with Terraform"
    );

    // The key scheduled for deletion outside: gone from the state (as the provider's Read does
    // with d.SetId("")), planned again, and the note shows what mattered to the plan.
    d.kms(
        region,
        "ScheduleKeyDeletion",
        json!({"KeyId": key_id, "PendingWindowInDays": 7}),
    )
    .unwrap();
    let plan = d.ok("terraform plan");
    let note = format!("aws_kms_alias.example: Refreshing state... [id=alias/my-terraform-key]\n\nNote: Objects have changed outside of Terraform\n\nTerraform detected the following changes made outside of Terraform since the\nlast \"terraform apply\" which may have affected this plan:\n\n  # aws_kms_key.example has been deleted\n  - resource \"aws_kms_key\" \"example\" {{\n      - arn                                = \"arn:aws:kms:ap-southeast-2:111122223333:key/{key_id}\" -> null\n        id                                 = \"{key_id}\"\n      - key_id                             = \"{key_id}\" -> null\n        tags                               = {{\n            \"Environment\" = \"dev\"\n            \"ManagedBy\"   = \"terraform\"\n        }}\n        # (11 unchanged attributes hidden)\n    }}\n\n\nUnless you have made equivalent changes to your configuration, or ignored the\nrelevant attributes using ignore_changes, the following plan may include\nactions to undo or respond to these changes.\n\n─────────────────────────────────────────────────────────────────────────────\n\n\nTerraform used the selected providers");
    assert!(plan.contains(&note), "{plan}");
    assert!(
        plan.contains("  # aws_kms_key.example will be created\n"),
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "      ~ target_key_id  = \"{key_id}\" -> (known after apply)\n"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to add, 1 to change, 0 to destroy.\n"),
        "{plan}"
    );

    // Destroy: the pending key is already gone; only the alias is deleted.
    d.calls.clear();
    let out = d.ok("terraform destroy -auto-approve");
    assert!(
        out.contains("Plan: 0 to add, 0 to change, 1 to destroy.\n"),
        "{out}"
    );
    assert!(
        out.ends_with("\nDestroy complete! Resources: 1 destroyed.\n"),
        "{out}"
    );
    assert!(
        !d.calls.iter().any(|c| c.ends_with("ScheduleKeyDeletion")),
        "{:?}",
        d.calls
    );
    assert_eq!(d.ok("terraform state list"), "");

    // An alias and a grant deleted outside are dropped from the state too.
    let tf = "resource \"aws_kms_key\" \"k\" {}\nresource \"aws_kms_alias\" \"a\" {\n  name          = \"alias/gone\"\n  target_key_id = aws_kms_key.k.key_id\n}\nresource \"aws_kms_grant\" \"g\" {\n  key_id            = aws_kms_key.k.key_id\n  grantee_principal = \"arn:aws:iam::111122223333:root\"\n  operations        = [\"Decrypt\"]\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    d.ok("terraform apply -auto-approve");
    let key = attr(&d, "aws_kms_key.k", "key_id");
    let grant = attr(&d, "aws_kms_grant.g", "grant_id");
    d.kms(
        "us-east-1",
        "DeleteAlias",
        json!({"AliasName": "alias/gone"}),
    )
    .unwrap();
    d.kms(
        "us-east-1",
        "RevokeGrant",
        json!({"KeyId": key, "GrantId": grant}),
    )
    .unwrap();
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("  # aws_kms_alias.a will be created\n"),
        "{plan}"
    );
    assert!(
        plan.contains("  # aws_kms_grant.g will be created\n"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 2 to add, 0 to change, 0 to destroy.\n"),
        "{plan}"
    );
}

#[test]
fn destroy_succeeds_for_a_key_pending_deletion_or_gone() {
    // Between the refresh and the delete the key goes pending deletion and the alias goes: the
    // provider's Delete ignores "is pending deletion" and NotFoundException.
    let mut d = Dir::new(&[("create-kms.tf", CREATE_KMS)]);
    d.ok("terraform apply -auto-approve");
    let env = Env {
        region: "us-east-1".into(),
        account_id: "111122223333".into(),
    };
    let sb = &mut d.sb;
    let out = run(
        "terraform destroy -auto-approve",
        &d.files,
        d.state.as_deref(),
        &env,
        |c| {
            let region = std::mem::replace(&mut sb.region, c.region.clone());
            if c.operation == "ScheduleKeyDeletion" || c.operation == "DeleteAlias" {
                let _ = sb.call_service(Service::Kms, &c.operation, c.input.clone());
            }
            let r = sb.call_service(Service::Kms, &c.operation, c.input.clone());
            sb.region = region;
            r
        },
    );
    assert_eq!(out.exit_code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .ends_with("\nDestroy complete! Resources: 2 destroyed.\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn grants_are_replaced_never_updated_and_their_sets_ignore_order() {
    let tf = r#"
resource "aws_kms_key" "k" {}

resource "aws_kms_grant" "g" {
  key_id                = aws_kms_key.k.key_id
  grantee_principal     = "arn:aws:iam::111122223333:root"
  operations            = ["Encrypt", "Decrypt", "GenerateDataKey"]
  grant_creation_tokens = ["tok-b", "tok-a"]
  constraints {
    encryption_context_equals = { Department = "Finance" }
  }
}
"#;
    let mut d = Dir::new(&[("main.tf", tf)]);
    let plan = d.ok("terraform plan");
    // Sets print sorted; name is not computed; the token is sensitive.
    assert!(plan.contains("      + operations            = [\n          + \"Decrypt\",\n          + \"Encrypt\",\n          + \"GenerateDataKey\",\n        ]\n"), "{plan}");
    assert!(plan.contains("      + grant_creation_tokens = [\n          + \"tok-a\",\n          + \"tok-b\",\n        ]\n"), "{plan}");
    assert!(
        plan.contains("      + grant_token           = (sensitive value)\n"),
        "{plan}"
    );
    assert!(!plan.contains(" name "), "{plan}");
    assert!(plan.contains("      + retire_on_delete      = false\n\n      + constraints {\n          + encryption_context_equals = {\n              + \"Department\" = \"Finance\"\n            }\n        }\n    }\n"), "{plan}");
    // CreateGrant gets the tokens (the sandbox checks them as KMS does).
    let out = d.tf("terraform apply -auto-approve");
    assert!(
        out.stderr
            .starts_with("╷\n│ Error: creating KMS Grant for Key ("),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("): operation error KMS: CreateGrant, https response error StatusCode: 400, RequestID: "), "{}", out.stderr);
    assert!(
        out.stderr
            .contains(", InvalidGrantTokenException: Grant token is invalid\n"),
        "{}",
        out.stderr
    );
    let tf = tf.replace("  grant_creation_tokens = [\"tok-b\", \"tok-a\"]\n", "");
    let tf = tf.as_str();
    d.files[0].1 = tf.to_string();
    d.ok("terraform apply -auto-approve");
    let key = attr(&d, "aws_kms_key.k", "key_id");
    let grants = d
        .kms("us-east-1", "ListGrants", json!({"KeyId": key}))
        .unwrap();
    assert_eq!(
        grants["Grants"][0]["Constraints"],
        json!({"EncryptionContextEquals": {"Department": "Finance"}})
    );
    assert!(attr(&d, "aws_kms_grant.g", "name").is_null());
    // terraform show hides the token; the state marks it sensitive.
    let show = d.ok("terraform show");
    assert!(
        show.contains("    grant_token       = (sensitive value)\n"),
        "{show}"
    );
    let st: Value = serde_json::from_str(d.state.as_deref().unwrap()).unwrap();
    let g = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_kms_grant")
        .unwrap();
    assert_eq!(
        g["instances"][0]["sensitive_attributes"],
        json!([[{"type": "get_attr", "value": "grant_token"}]])
    );

    // Another order of the same operations: no change.
    d.files[0].1 = tf.replace(
        "[\"Encrypt\", \"Decrypt\", \"GenerateDataKey\"]",
        "[\"GenerateDataKey\", \"Decrypt\", \"Encrypt\"]",
    );
    assert!(d.ok("terraform plan").contains("No changes."));

    // retire_on_delete is ForceNew as every argument: a replacement, never CreateGrant on
    // the old grant.
    d.files[0].1 = tf.replace(
        "  constraints {",
        "  retire_on_delete      = true\n  constraints {",
    );
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains(
            "  # aws_kms_grant.g must be replaced\n-/+ resource \"aws_kms_grant\" \"g\" {\n"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("      ~ retire_on_delete  = false -> true # forces replacement\n"),
        "{plan}"
    );
    assert!(
        plan.contains("      ~ grant_token       = (sensitive value)\n"),
        "{plan}"
    );
    d.calls.clear();
    d.ok("terraform apply -auto-approve");
    let ops: Vec<&str> = d
        .calls
        .iter()
        .map(|c| c.split(' ').nth(1).unwrap())
        .filter(|o| o.ends_with("Grant"))
        .collect();
    assert_eq!(ops, ["RevokeGrant", "CreateGrant"]);

    // An output of the token must say it is sensitive.
    d.files[0].1 =
        format!("{tf}\noutput \"token\" {{\n  value = aws_kms_grant.g.grant_token\n}}\n");
    let out = d.tf("terraform plan");
    assert_eq!(out.exit_code, 1);
    assert!(out.stderr.ends_with("╷\n│ Error: Output refers to sensitive values\n│\n│   on main.tf line 13:\n│   13: output \"token\" {\n│\n│ To reduce the risk of accidentally exporting sensitive data that was\n│ intended to be only internal, Terraform requires that any root module\n│ output containing sensitive data be explicitly marked as sensitive, to\n│ confirm your intent.\n│\n│ If you do intend to export this data, annotate the output value as\n│ sensitive by adding the following argument:\n│     sensitive = true\n╵\n"), "{}", out.stderr);
}

#[test]
fn generated_alias_names_are_prefixed_unique_ids_kept_on_update() {
    let tf = "resource \"aws_kms_key\" \"a\" {}\nresource \"aws_kms_key\" \"b\" {}\nresource \"aws_kms_alias\" \"p\" {\n  name_prefix   = \"alias/app-\"\n  target_key_id = aws_kms_key.a.key_id\n}\nresource \"aws_kms_alias\" \"n\" {\n  target_key_id = aws_kms_key.a.key_id\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    d.ok("terraform apply -auto-approve");
    // PrefixedUniqueId: 20060102150405 and 4 digits of fractions, then an 8-hex-digit counter;
    // without a name or prefix the provider's prefix is "alias/".
    let is_unique = |name: &str, prefix: &str| {
        let rest = name.strip_prefix(prefix).unwrap_or("");
        rest.len() == 26
            && rest[..18].chars().all(|c| c.is_ascii_digit())
            && rest[18..].chars().all(|c| c.is_ascii_hexdigit())
    };
    let p = attr(&d, "aws_kms_alias.p", "name")
        .as_str()
        .unwrap()
        .to_string();
    let n = attr(&d, "aws_kms_alias.n", "name")
        .as_str()
        .unwrap()
        .to_string();
    assert!(is_unique(&p, "alias/app-"), "{p}");
    assert!(is_unique(&n, "alias/"), "{n}");
    assert_ne!(p[10..], n[6..]);
    assert_eq!(attr(&d, "aws_kms_alias.p", "name_prefix"), "alias/app-");
    // A new target: UpdateAlias with the name in the state, not a new one.
    d.files[0].1 = tf.replace(
        "  name_prefix   = \"alias/app-\"\n  target_key_id = aws_kms_key.a.key_id",
        "  name_prefix   = \"alias/app-\"\n  target_key_id = aws_kms_key.b.key_id",
    );
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("  # aws_kms_alias.p will be updated in-place\n"),
        "{plan}"
    );
    d.calls.clear();
    d.ok("terraform apply -auto-approve");
    assert!(
        d.calls.contains(&"us-east-1 UpdateAlias".to_string()),
        "{:?}",
        d.calls
    );
    assert!(
        !d.calls.contains(&"us-east-1 CreateAlias".to_string()),
        "{:?}",
        d.calls
    );
    assert_eq!(attr(&d, "aws_kms_alias.p", "name"), json!(p));
    let target = d
        .kms("us-east-1", "DescribeKey", json!({"KeyId": p}))
        .unwrap();
    assert_eq!(
        target["KeyMetadata"]["KeyId"],
        attr(&d, "aws_kms_key.b", "key_id")
    );
    // The caller's clock, when given, is the timestamp.
    let env = Env {
        region: "us-east-1".into(),
        account_id: "111122223333".into(),
    };
    let files = vec![("main.tf".to_string(), "resource \"aws_kms_key\" \"a\" {}\nresource \"aws_kms_alias\" \"p\" {\n  name_prefix   = \"alias/t-\"\n  target_key_id = aws_kms_key.a.key_id\n}\n".to_string())];
    let mut r = kms_terraform::start(
        &["apply".into(), "-auto-approve".into()],
        &files,
        None,
        &env,
    );
    r.set_clock(1_700_000_000_123.0);
    let sb = &mut d.sb;
    while let Some(c) = r.next() {
        let a = sb.call_service(Service::Kms, &c.operation, c.input.clone());
        r.answer(a);
    }
    let out = r.finish();
    assert!(
        out.stdout.contains(
            "aws_kms_alias.p: Creation complete after 0s [id=alias/t-20231114221320123000000001]\n"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn key_updates_follow_the_providers_order() {
    let tf = "resource \"aws_kms_key\" \"k\" {\n  description = \"one\"\n  is_enabled  = false\n  tags        = { a = \"1\" }\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    d.ok("terraform apply -auto-approve");
    let policy = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "kms:*", Resource = "*" }] })"#;
    d.files[0].1 = format!("resource \"aws_kms_key\" \"k\" {{\n  description         = \"two\"\n  is_enabled          = true\n  enable_key_rotation = true\n  policy              = {policy}\n  tags                = {{ b = \"2\" }}\n}}\n");
    d.calls.clear();
    d.ok("terraform apply -auto-approve");
    let ops: Vec<&str> = d
        .calls
        .iter()
        .map(|c| c.split(' ').nth(1).unwrap())
        .collect();
    // Tags first (the provider's tagging interceptor), enable before anything else.
    let updates: Vec<&str> = ops
        .iter()
        .copied()
        .filter(|o| {
            !matches!(
                *o,
                "DescribeKey" | "GetKeyPolicy" | "GetKeyRotationStatus" | "ListResourceTags"
            )
        })
        .collect();
    assert_eq!(
        updates,
        [
            "UntagResource",
            "TagResource",
            "EnableKey",
            "EnableKeyRotation",
            "UpdateKeyDescription",
            "PutKeyPolicy"
        ]
    );
    // Disabling comes last ("Only disable after all attributes have been modified").
    d.files[0].1 = d.files[0]
        .1
        .replace("\"two\"", "\"three\"")
        .replace("is_enabled          = true", "is_enabled          = false");
    d.calls.clear();
    d.ok("terraform apply -auto-approve");
    let updates: Vec<String> = d
        .calls
        .iter()
        .map(|c| c.split(' ').nth(1).unwrap().to_string())
        .filter(|o| {
            !matches!(
                o.as_str(),
                "DescribeKey" | "GetKeyPolicy" | "GetKeyRotationStatus" | "ListResourceTags"
            )
        })
        .collect();
    assert_eq!(updates, ["UpdateKeyDescription", "DisableKey"]);
}

#[test]
fn replica_updates_call_the_key_operations_not_replicate_key() {
    let mut d = Dir::new(&[("main.tf", "provider \"aws\" {\n  region = \"us-west-2\"\n}\nresource \"aws_kms_key\" \"p\" {\n  multi_region = true\n}\n")]);
    d.ok("terraform apply -auto-approve");
    let arn = attr(&d, "aws_kms_key.p", "arn")
        .as_str()
        .unwrap()
        .to_string();
    let tf = format!("provider \"aws\" {{\n  region = \"eu-west-1\"\n}}\nresource \"aws_kms_replica_key\" \"r\" {{\n  primary_key_arn = \"{arn}\"\n  description     = \"one\"\n}}\n");
    let mut e = Dir::new(&[("main.tf", &tf)]);
    e.sb = std::mem::replace(&mut d.sb, Sandbox::in_memory(1));
    e.ok("terraform apply -auto-approve");
    e.files[0].1 = tf.replace(
        "\"one\"",
        "\"two\"\n  enabled         = false\n  tags            = { team = \"x\" }",
    );
    e.calls.clear();
    let out = e.ok("terraform apply -auto-approve");
    assert!(
        out.contains("aws_kms_replica_key.r: Modifying... [id=mrk-"),
        "{out}"
    );
    let ops: Vec<&str> = e
        .calls
        .iter()
        .map(|c| c.as_str())
        .filter(|c| {
            !c.contains("DescribeKey") && !c.contains("GetKey") && !c.contains("ListResourceTags")
        })
        .collect();
    assert_eq!(
        ops,
        [
            "eu-west-1 TagResource",
            "eu-west-1 UpdateKeyDescription",
            "eu-west-1 DisableKey"
        ]
    );
    let id = attr(&e, "aws_kms_replica_key.r", "key_id");
    let md = e
        .kms("eu-west-1", "DescribeKey", json!({"KeyId": id}))
        .unwrap();
    assert_eq!(md["KeyMetadata"]["Description"], "two");
    assert_eq!(md["KeyMetadata"]["Enabled"], false);
    // description is Optional, not Computed: left out, it goes.
    e.files[0].1 = tf.replace("  description     = \"one\"\n", "");
    let plan = e.ok("terraform plan");
    assert!(
        plan.contains("      - description                        = \"two\" -> null\n"),
        "{plan}"
    );
}

#[test]
fn plans_render_json_heredocs_empty_strings_and_replacements_as_terraform() {
    let tf = r#"
resource "aws_kms_key" "k" {
  description = "line one\nline two\n"
}

resource "aws_kms_key_policy" "p" {
  key_id = aws_kms_key.k.id
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

resource "aws_kms_grant" "g" {
  key_id             = aws_kms_key.k.key_id
  grantee_principal  = "arn:aws:iam::111122223333:root"
  retiring_principal = "arn:aws:iam::111122223333:root"
  operations         = ["Decrypt"]
}
"#;
    let mut d = Dir::new(&[("main.tf", tf)]);
    let plan = d.ok("terraform plan");
    // A JSON string as jsonencode(...), a multi-line one as a heredoc.
    assert!(plan.contains("      + policy                             = jsonencode(\n            {\n              + Statement = [\n                  + {\n                      + Action    = \"kms:*\"\n                      + Effect    = \"Allow\"\n                      + Principal = {\n                          + AWS = \"arn:aws:iam::111122223333:root\"\n                        }\n                      + Resource  = \"*\"\n                      + Sid       = \"Root\"\n                    },\n                ]\n              + Version   = \"2012-10-17\"\n            }\n        )\n"), "{plan}");
    assert!(plan.contains("      + description                        = <<-EOT\n            line one\n            line two\n        EOT\n"), "{plan}");
    d.ok("terraform apply -auto-approve");
    // A policy changed: the JSON diff, element by element.
    d.files[0].1 = tf.replace("Sid       = \"Root\"", "Sid       = \"Admin\"");
    let plan = d.ok("terraform plan");
    assert!(plan.contains("      ~ policy                             = jsonencode(\n          ~ {\n              ~ Statement = [\n                  ~ {\n                      ~ Sid       = \"Root\" -> \"Admin\"\n                        # (4 unchanged attributes hidden)\n                    },\n                ]\n                # (1 unchanged attribute hidden)\n            }\n        )\n"), "{plan}");
    // An attribute going to null in a replacement: `- x = v -> null`.
    d.files[0].1 = tf.replace(
        "  retiring_principal = \"arn:aws:iam::111122223333:root\"\n",
        "",
    );
    let plan = d.ok("terraform plan");
    assert!(plan.contains("      - retiring_principal = \"arn:aws:iam::111122223333:root\" -> null # forces replacement\n"), "{plan}");
    // Destroy: an empty string is null for a legacy SDK provider, so a key without a
    // description shows none.
    let mut e = Dir::new(&[("main.tf", "resource \"aws_kms_key\" \"k\" {}\n")]);
    e.ok("terraform apply -auto-approve");
    assert_eq!(attr(&e, "aws_kms_key.k", "description"), "");
    let plan = e.ok("terraform plan -destroy");
    assert!(!plan.contains("description"), "{plan}");
    assert!(
        plan.contains("      - tags_all                           = {} -> null\n"),
        "{plan}"
    );
    // id, name and tags show their unchanged children; terraform show renders as the plan.
    let show = d.ok("terraform show");
    assert!(show.contains("    policy                             = jsonencode(\n        {\n            Statement = [\n"), "{show}");
}

#[test]
fn schema_flags_follow_the_provider_v5_80() {
    // aws_kms_key_policy.key_id is not ForceNew in key_policy.go: an update in place.
    let tf = "resource \"aws_kms_key\" \"a\" {}\nresource \"aws_kms_key\" \"b\" {}\nresource \"aws_kms_key_policy\" \"p\" {\n  key_id = aws_kms_key.a.id\n  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Sid = \"Root\", Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::111122223333:root\" }, Action = \"kms:*\", Resource = \"*\" }] })\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    d.ok("terraform apply -auto-approve");
    d.files[0].1 = tf.replace("aws_kms_key.a.id", "aws_kms_key.b.id");
    let plan = d.ok("terraform plan");
    assert!(
        plan.contains("  # aws_kms_key_policy.p will be updated in-place\n"),
        "{plan}"
    );
    assert!(!plan.contains("forces replacement"), "{plan}");
    // rotation_period_in_days is RequiredWith enable_key_rotation.
    let mut d = Dir::new(&[(
        "main.tf",
        "resource \"aws_kms_key\" \"k\" {\n  rotation_period_in_days = 180\n}\n",
    )]);
    let out = d.tf("terraform validate");
    assert_eq!(out.stderr, "╷\n│ Error: Missing required argument\n│\n│   with aws_kms_key.k,\n│   on main.tf line 2, in resource \"aws_kms_key\" \"k\":\n│    2:   rotation_period_in_days = 180\n│\n│ \"rotation_period_in_days\": all of\n│ `enable_key_rotation,rotation_period_in_days` must be specified\n╵\n");
    // The replica's description is Optional only: nothing planned when left out.
    let mut d = Dir::new(&[("main.tf", "resource \"aws_kms_replica_key\" \"r\" {\n  primary_key_arn = \"arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab\"\n}\n")]);
    let plan = d.ok("terraform plan");
    assert!(!plan.contains("description"), "{plan}");
}

#[test]
fn validate_reports_the_providers_and_hcls_messages() {
    let tf = "resource \"aws_kms_key\" \"a\" {\n  arn    = \"x\"\n  policy = \"{\\\"Version\\\": 1,}\"\n}\nresource \"aws_kms_key\" \"b\" {\n  descripton = \"y\"\n}\nresource \"aws_kms_replica_key\" \"r\" {\n  primary_key_arn = \"key/1234\"\n}\nresource \"aws_kms_grant\" \"g\" {\n  key_id            = \"k\"\n  name              = \"has space\"\n  grantee_principal = \"arn:aws:iam::111122223333:root\"\n  operations        = [\"Decrypt\", \"Nope\"]\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    let out = d.tf("terraform validate");
    assert_eq!(out.exit_code, 1);
    let expected = [
        "╷\n│ Error: Value for unconfigurable attribute\n│\n│   with aws_kms_key.a,\n│   on main.tf line 2, in resource \"aws_kms_key\" \"a\":\n│    2:   arn    = \"x\"\n│\n│ Can't configure a value for \"arn\": its value will be decided automatically\n│ based on the result of applying this configuration.\n╵\n",
        "╷\n│ Error: \"policy\" contains an invalid JSON: invalid character '}' looking for beginning of object key string\n│\n│   with aws_kms_key.a,\n│   on main.tf line 3, in resource \"aws_kms_key\" \"a\":\n",
        "╷\n│ Error: Unsupported argument\n│\n│   on main.tf line 6, in resource \"aws_kms_key\" \"b\":\n│    6:   descripton = \"y\"\n│\n│ An argument named \"descripton\" is not expected here. Did you mean\n│ \"description\"?\n╵\n",
        "╷\n│ Error: \"primary_key_arn\" (key/1234) is an invalid ARN: arn: invalid prefix\n│\n│   with aws_kms_replica_key.r,\n",
        "╷\n│ Error: name must only contain [0-9A-Za-z_:/-]\n│\n│   with aws_kms_grant.g,\n│   on main.tf line 13,",
        "╷\n│ Error: expected operations to be one of [\"Decrypt\" \"Encrypt\" \"GenerateDataKey\" \"GenerateDataKeyWithoutPlaintext\" \"ReEncryptFrom\" \"ReEncryptTo\" \"Sign\" \"Verify\" \"GetPublicKey\" \"CreateGrant\" \"RetireGrant\" \"DescribeKey\" \"GenerateDataKeyPair\" \"GenerateDataKeyPairWithoutPlaintext\" \"GenerateMac\" \"VerifyMac\" \"DeriveSharedSecret\"], got Nope\n│\n│   with aws_kms_grant.g,\n│   on main.tf line 15,",
    ];
    let mut at = 0;
    for e in expected {
        let found = out.stderr[at..]
            .find(e)
            .unwrap_or_else(|| panic!("{e}\n---\n{}", out.stderr));
        at += found + e.len();
    }
    assert_eq!(
        out.stderr.matches("╷\n│ Error: ").count(),
        6,
        "{}",
        out.stderr
    );
    // Go's encoding/json words for other mistakes.
    for (policy, error) in [
        ("{", "unexpected end of JSON input"),
        (
            "nope",
            "invalid character 'o' in literal null (expecting 'u')",
        ),
        ("{\\\"a\\\" 1}", "invalid character '1' after object key"),
        ("[1 2]", "invalid character '2' after array element"),
    ] {
        let tf = format!("resource \"aws_kms_key\" \"a\" {{\n  policy = \"{policy}\"\n}}\n");
        let mut d = Dir::new(&[("main.tf", tf.as_str())]);
        let out = d.tf("terraform validate");
        assert!(
            out.stderr.starts_with(&format!(
                "╷\n│ Error: \"policy\" contains an invalid JSON: {error}\n"
            )),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn key_policy_destroy_and_the_providers_error_texts() {
    let policy = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "kms:*", Resource = "*" }] })"#;
    let tf = format!("resource \"aws_kms_key\" \"k\" {{}}\nresource \"aws_kms_key_policy\" \"p\" {{\n  key_id = aws_kms_key.k.id\n  bypass_policy_lockout_safety_check = true\n  policy = {policy}\n}}\n");
    // With the lockout check bypassed, destroy leaves the policy as it is.
    let mut d = Dir::new(&[("main.tf", tf.as_str())]);
    d.ok("terraform apply -auto-approve");
    d.calls.clear();
    let out = d.ok("terraform destroy -auto-approve");
    assert!(
        out.contains("aws_kms_key_policy.p: Destruction complete after 0s\n"),
        "{out}"
    );
    assert!(
        !d.calls.iter().any(|c| c.ends_with("PutKeyPolicy")),
        "{:?}",
        d.calls
    );
    // Without it, the default key policy goes back.
    let mut d = Dir::new(&[(
        "main.tf",
        tf.replace("  bypass_policy_lockout_safety_check = true\n", "")
            .as_str(),
    )]);
    d.ok("terraform apply -auto-approve");
    let key = attr(&d, "aws_kms_key.k", "key_id");
    d.files[0].1 = "resource \"aws_kms_key\" \"k\" {}\n".into();
    d.ok("terraform apply -auto-approve");
    let p = d
        .kms("us-east-1", "GetKeyPolicy", json!({"KeyId": key}))
        .unwrap();
    assert!(
        p["Policy"].as_str().unwrap().contains("key-default-1"),
        "{p}"
    );

    // The provider's error words: `enabling KMS Key (<id>) rotation: ...` (an RSA key).
    let mut d = Dir::new(&[("main.tf", "resource \"aws_kms_key\" \"k\" {\n  key_usage                = \"SIGN_VERIFY\"\n  customer_master_key_spec = \"RSA_2048\"\n  enable_key_rotation      = true\n}\n")]);
    let out = d.tf("terraform apply -auto-approve");
    assert_eq!(out.exit_code, 1);
    assert!(
        out.stderr.starts_with("╷\n│ Error: enabling KMS Key ("),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(") rotation: operation error KMS: EnableKeyRotation, https response error StatusCode: 400, RequestID: "), "{}", out.stderr);
    // `updating KMS Key Policy (<id>) policy: ...`.
    let bad = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "None", Effect = "Deny", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" }] })"#;
    let mut d = Dir::new(&[(
        "main.tf",
        tf.replace("  bypass_policy_lockout_safety_check = true\n", "")
            .replace(policy, bad)
            .as_str(),
    )]);
    let out = d.tf("terraform apply -auto-approve");
    assert_eq!(out.exit_code, 1);
    assert!(
        out.stderr
            .starts_with("╷\n│ Error: updating KMS Key Policy ("),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(") policy: operation error KMS: PutKeyPolicy, https response error StatusCode: 400, RequestID: "), "{}", out.stderr);
}

#[test]
fn lifecycle_prevent_destroy_ignore_changes_and_create_before_destroy() {
    let tf = "resource \"aws_kms_key\" \"k\" {\n  description = \"one\"\n  tags        = { a = \"1\" }\n  lifecycle {\n    prevent_destroy = true\n    ignore_changes  = [tags]\n  }\n}\n";
    let mut d = Dir::new(&[("main.tf", tf)]);
    d.ok("terraform apply -auto-approve");
    let out = d.tf("terraform destroy -auto-approve");
    assert_eq!(out.exit_code, 1);
    assert!(out.stderr.ends_with("╷\n│ Error: Instance cannot be destroyed\n│\n│   on main.tf line 1:\n│    1: resource \"aws_kms_key\" \"k\" {\n│\n│ Resource aws_kms_key.k has lifecycle.prevent_destroy set, but the plan\n│ calls for this resource to be destroyed. To avoid this error and continue\n│ with the plan, either disable lifecycle.prevent_destroy or reduce the scope\n│ of the plan using the -target flag.\n╵\n"), "{}", out.stderr);
    // ignore_changes: a new tag in the configuration changes nothing.
    d.files[0].1 = tf.replace("{ a = \"1\" }", "{ a = \"2\" }");
    assert!(d.ok("terraform plan").contains("No changes."));
    // create_before_destroy: `+/-`, the new key made before the old one goes.
    let cbd = "resource \"aws_kms_key\" \"k\" {\n  key_usage = \"ENCRYPT_DECRYPT\"\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n";
    let mut d = Dir::new(&[("main.tf", cbd)]);
    d.ok("terraform apply -auto-approve");
    let old = attr(&d, "aws_kms_key.k", "id")
        .as_str()
        .unwrap()
        .to_string();
    d.files[0].1 = cbd.replace(
        "ENCRYPT_DECRYPT",
        "GENERATE_VERIFY_MAC\"\n  customer_master_key_spec = \"HMAC_256",
    );
    let out = d.ok("terraform apply -auto-approve");
    assert!(
        out.contains("+/- create replacement and then destroy\n"),
        "{out}"
    );
    assert!(
        out.contains("  # aws_kms_key.k must be replaced\n+/- resource \"aws_kms_key\" \"k\" {\n"),
        "{out}"
    );
    let created = out.find("aws_kms_key.k: Creation complete").unwrap();
    let destroyed = out.find(&format!("): Destroying... [id={old}]")).unwrap();
    assert!(created < destroyed, "{out}");
    assert!(out.contains("aws_kms_key.k (deposed object "), "{out}");
    assert!(
        out.contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed."),
        "{out}"
    );
}
