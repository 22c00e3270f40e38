//! The state, in Terraform's `terraform.tfstate` format (version 4).

use serde_json::{json, Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub ty: String,
    pub name: String,
    pub attributes: Map<String, Value>,
    pub dependencies: Vec<String>,
}

impl Instance {
    pub fn address(&self) -> String {
        format!("{}.{}", self.ty, self.name)
    }

    pub fn id(&self) -> String {
        self.attributes
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub serial: u64,
    pub lineage: String,
    pub resources: Vec<Instance>,
    /// name → (value, sensitive).
    pub outputs: Vec<(String, Value, bool)>,
}

/// The paths of a resource type's sensitive attributes, as the state lists them.
fn sensitive_paths(ty: &str) -> Vec<Value> {
    crate::schema::resource_type(ty)
        .map(|t| {
            t.attrs
                .iter()
                .filter(|a| a.sensitive)
                .map(|a| json!([{"type": "get_attr", "value": a.name}]))
                .collect()
        })
        .unwrap_or_default()
}

const PROVIDER: &str = "provider[\"registry.terraform.io/hashicorp/aws\"]";

fn type_of(v: &Value) -> Value {
    match v {
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(a) => json!(["tuple", a.iter().map(type_of).collect::<Vec<_>>()]),
        Value::Object(o) => json!([
            "object",
            o.iter()
                .map(|(k, v)| (k.clone(), type_of(v)))
                .collect::<Map<_, _>>()
        ]),
        Value::Null => json!("dynamic"),
    }
}

impl State {
    pub fn get(&self, address: &str) -> Option<&Instance> {
        self.resources.iter().find(|r| r.address() == address)
    }

    pub fn remove(&mut self, address: &str) {
        self.resources.retain(|r| r.address() != address);
    }

    pub fn put(&mut self, inst: Instance) {
        match self
            .resources
            .iter_mut()
            .find(|r| r.address() == inst.address())
        {
            Some(slot) => *slot = inst,
            None => self.resources.push(inst),
        }
        self.resources.sort_by_key(Instance::address);
    }

    /// The JSON text Terraform writes.
    pub fn to_json(&self) -> String {
        let v = json!({
            "version": 4,
            "terraform_version": crate::VERSION,
            "serial": self.serial,
            "lineage": self.lineage,
            "outputs": self.outputs.iter().map(|(n, v, s)| {
                let mut o = json!({"value": v, "type": type_of(v)});
                if *s { o["sensitive"] = json!(true); }
                (n.clone(), o)
            }).collect::<Map<_, _>>(),
            "resources": self.resources.iter().map(|r| json!({
                "mode": "managed",
                "type": r.ty,
                "name": r.name,
                "provider": PROVIDER,
                "instances": [{
                    "schema_version": 0,
                    "attributes": r.attributes,
                    "sensitive_attributes": sensitive_paths(&r.ty),
                    "dependencies": r.dependencies,
                }],
            })).collect::<Vec<_>>(),
            "check_results": null,
        });
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    }

    /// `terraform show -json`: Terraform's JSON output format of a state (format_version 1.0),
    /// on one line: outputs and the root module's resources with their values.
    pub fn to_show_json(&self) -> String {
        let mut values = Map::new();
        if !self.outputs.is_empty() {
            values.insert(
                "outputs".into(),
                self.outputs
                    .iter()
                    .map(|(n, v, s)| {
                        (
                            n.clone(),
                            json!({"sensitive": s, "value": v, "type": type_of(v)}),
                        )
                    })
                    .collect::<Map<_, _>>()
                    .into(),
            );
        }
        if !self.resources.is_empty() {
            let resources: Vec<Value> = self
                .resources
                .iter()
                .map(|r| {
                    let mut v = json!({
                        "address": r.address(),
                        "mode": "managed",
                        "type": r.ty,
                        "name": r.name,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "schema_version": 0,
                        "values": r.attributes,
                        "sensitive_values": crate::schema::resource_type(&r.ty)
                            .map(|t| t.attrs.iter().filter(|a| a.sensitive).map(|a| (a.name.to_string(), json!(true))).collect::<Map<_, _>>())
                            .unwrap_or_default(),
                    });
                    if !r.dependencies.is_empty() {
                        v["depends_on"] = json!(r.dependencies);
                    }
                    v
                })
                .collect();
            values.insert("root_module".into(), json!({ "resources": resources }));
        }
        let mut out = json!({"format_version": "1.0", "terraform_version": crate::VERSION});
        if !values.is_empty() {
            out["values"] = Value::Object(values);
        }
        let mut s = out.to_string();
        s.push('\n');
        s
    }

    /// Reads what [`State::to_json`] wrote (what does not read is an empty state).
    pub fn from_json(text: &str) -> Result<State, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut st = State {
            serial: v["serial"].as_u64().unwrap_or(0),
            lineage: v["lineage"].as_str().unwrap_or_default().to_string(),
            ..State::default()
        };
        for r in v["resources"].as_array().into_iter().flatten() {
            let inst = &r["instances"][0];
            st.resources.push(Instance {
                ty: r["type"].as_str().unwrap_or_default().to_string(),
                name: r["name"].as_str().unwrap_or_default().to_string(),
                attributes: inst["attributes"].as_object().cloned().unwrap_or_default(),
                dependencies: inst["dependencies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect(),
            });
        }
        for (n, o) in v["outputs"].as_object().into_iter().flatten() {
            st.outputs
                .push((n.clone(), o["value"].clone(), o["sensitive"] == json!(true)));
        }
        Ok(st)
    }
}
