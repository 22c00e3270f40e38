//! The command table: the services the sandbox answers, their operations and arguments as the
//! CLI derives them from the API models (kms-core's), with what the CLI takes from the rest of
//! botocore's data (member order, paginators, idempotency tokens, documentation: see
//! `tools/gen-cli-data.py`).

use crate::names::kebab;
use kms_core::model::{Model, Shape};
use kms_core::Service;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
struct RawPaginator {
    input_token: OneOrMany,
    output_token: OneOrMany,
    limit_key: Option<String>,
    more_results: Option<String>,
    result_key: OneOrMany,
    #[serde(default)]
    non_aggregate_keys: Vec<String>,
}

/// An operation's pagination (botocore's paginators-1.json).
#[derive(Debug, Clone)]
pub struct Paginator {
    pub input_token: Vec<String>,
    pub output_token: Vec<String>,
    pub limit_key: Option<String>,
    pub more_results: Option<String>,
    pub result_key: Vec<String>,
    pub non_aggregate_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawData {
    paginators: BTreeMap<String, RawPaginator>,
    order: BTreeMap<String, Vec<String>>,
    idempotency: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    waiters: BTreeMap<String, Waiter>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Docs {
    pub service: String,
    pub operations: BTreeMap<String, String>,
    pub members: BTreeMap<String, String>,
}

/// One service of the command table.
pub struct Svc {
    /// The CLI's name (`kms`).
    pub name: &'static str,
    pub service: Service,
    pub model: &'static Model,
    pub paginators: BTreeMap<String, Paginator>,
    order: BTreeMap<String, Vec<String>>,
    idempotency: BTreeMap<String, Vec<String>>,
    pub docs: Docs,
    /// `aws <service> wait <name>`: the CLI's name (`stack-create-complete`), the model's
    /// (`StackCreateComplete`) and the waiter.
    pub waiters: Vec<(String, String, Waiter)>,
    /// CLI name → operation name, in the model's order.
    pub commands: Vec<(String, String)>,
}

fn load(name: &'static str, service: Service, data: &str, docs: &str) -> Svc {
    let raw: RawData = serde_json::from_str(data).expect("embedded CLI data parses");
    let docs: Docs = if docs.is_empty() {
        Docs::default()
    } else {
        serde_json::from_str(docs).expect("embedded CLI docs parse")
    };
    let model = service.model();
    let commands = model
        .operations
        .keys()
        .map(|op| (kebab(op), op.clone()))
        .collect();
    Svc {
        name,
        service,
        model,
        paginators: raw
            .paginators
            .into_iter()
            .map(|(op, p)| {
                (
                    op,
                    Paginator {
                        input_token: p.input_token.into_vec(),
                        output_token: p.output_token.into_vec(),
                        limit_key: p.limit_key,
                        more_results: p.more_results,
                        result_key: p.result_key.into_vec(),
                        non_aggregate_keys: p.non_aggregate_keys,
                    },
                )
            })
            .collect(),
        order: raw.order,
        idempotency: raw.idempotency,
        docs,
        waiters: raw
            .waiters
            .into_iter()
            .map(|(name, w)| (kebab(&name), name, w))
            .collect(),
        commands,
    }
}

macro_rules! docs {
    ($file:literal) => {{
        #[cfg(feature = "docs")]
        {
            include_str!($file)
        }
        #[cfg(not(feature = "docs"))]
        {
            ""
        }
    }};
}

/// The services, in the CLI's (alphabetical) order.
pub fn services() -> &'static [Svc] {
    static ALL: OnceLock<Vec<Svc>> = OnceLock::new();
    ALL.get_or_init(|| {
        vec![
            load(
                "cloudformation",
                Service::CloudFormation,
                include_str!("../data/cloudformation.json"),
                docs!("../data/cloudformation-docs.json"),
            ),
            load(
                "cloudtrail",
                Service::CloudTrail,
                include_str!("../data/cloudtrail.json"),
                docs!("../data/cloudtrail-docs.json"),
            ),
            load(
                "iam",
                Service::Iam,
                include_str!("../data/iam.json"),
                docs!("../data/iam-docs.json"),
            ),
            load(
                "kms",
                Service::Kms,
                include_str!("../data/kms.json"),
                docs!("../data/kms-docs.json"),
            ),
            load(
                "sts",
                Service::Sts,
                include_str!("../data/sts.json"),
                docs!("../data/sts-docs.json"),
            ),
        ]
    })
}

pub fn service(name: &str) -> Option<&'static Svc> {
    services().iter().find(|s| s.name == name)
}

pub fn service_of(service: Service) -> &'static Svc {
    services()
        .iter()
        .find(|s| s.service == service)
        .expect("every service has a command table")
}

/// One option of an operation, from a member of its input shape.
#[derive(Debug, Clone)]
pub struct ArgSpec {
    /// Without the leading `--`.
    pub cli: String,
    pub member: String,
    pub shape: String,
    pub required: bool,
}

impl Svc {
    /// The operation a CLI command names.
    pub fn operation(&self, command: &str) -> Option<&str> {
        self.commands
            .iter()
            .find(|(cli, _)| cli == command)
            .map(|(_, op)| op.as_str())
    }

    /// The CLI command of an operation.
    pub fn command(&self, operation: &str) -> String {
        kebab(operation)
    }

    pub fn shape(&self, name: &str) -> &'static Shape {
        self.model.shape(name)
    }

    /// A structure's members in the model's order.
    pub fn members<'a>(&'a self, shape_name: &str) -> Vec<(&'a str, &'a str)> {
        let shape = self.model.shape(shape_name);
        let mut out: Vec<(&str, &str)> = Vec::with_capacity(shape.members.len());
        if let Some(order) = self.order.get(shape_name) {
            for m in order {
                if let Some((k, v)) = shape.members.get_key_value(m.as_str()) {
                    out.push((k.as_str(), v.as_str()));
                }
            }
        }
        for (k, v) in &shape.members {
            if !out.iter().any(|(m, _)| m == k) {
                out.push((k.as_str(), v.as_str()));
            }
        }
        out
    }

    /// The operation's input shape, if it has one.
    pub fn input_shape(&self, operation: &str) -> Option<&'static str> {
        self.model.operations[operation].input.as_deref()
    }

    pub fn output_shape(&self, operation: &str) -> Option<&'static str> {
        self.model.operations[operation].output.as_deref()
    }

    /// The operation's options, in the model's member order.
    pub fn args(&self, operation: &str) -> Vec<ArgSpec> {
        let Some(input) = self.input_shape(operation) else {
            return Vec::new();
        };
        let shape = self.model.shape(input);
        let tokens = self.idempotency.get(input);
        self.members(input)
            .into_iter()
            .map(|(member, member_shape)| ArgSpec {
                cli: kebab(member),
                member: member.to_string(),
                shape: member_shape.to_string(),
                required: shape.required.iter().any(|r| r == member)
                    && !tokens.is_some_and(|t| t.iter().any(|t| t == member)),
            })
            .collect()
    }
}

/// A waiter of waiters-2.json: the operation it polls and its acceptors ([`crate::wait`] runs it).
#[derive(Debug, Clone, Deserialize)]
pub struct Acceptor {
    pub matcher: String,
    pub expected: serde_json::Value,
    pub state: String,
    #[serde(default)]
    pub argument: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Waiter {
    pub operation: String,
    pub acceptors: Vec<Acceptor>,
}
