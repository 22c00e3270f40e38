//! The modules of each crate (the engine, the browser shell, the AWS CLI, Terraform, the console)
//! depend on each other in one direction: no module reaches, through others, back to itself. A circle makes the code hard to change
//! (`engine` <-> `ops` through `Tx` in `engine.rs`, `store` <-> `hsm` <-> `entropy`, and
//! `records` <-> `iam` <-> `state` were ones). A module's dependencies are the `crate::<module>`
//! paths in its files outside comments and `#[cfg(test)]` parts (a name the crate root
//! re-exports, `crate::Engine`, counts for the module it comes from); a directory module counts
//! as one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The names the crate root re-exports (`pub use records::{KeyRecord, ..}`), each with the
/// module it comes from: `crate::KeyRecord` depends on `records`.
fn reexports(src: &Path) -> BTreeMap<String, String> {
    let root = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .find(|p| p.exists())
        .unwrap();
    let text: String = std::fs::read_to_string(root)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeMap::new();
    for item in text.split("pub use ").skip(1) {
        let item = item.split(';').next().unwrap();
        let module = first_segment(item);
        let names = match item.split_once('{') {
            Some((_, group)) => group.split('}').next().unwrap().to_string(),
            None => item.rsplit("::").next().unwrap().to_string(),
        };
        for name in names.split(',') {
            let name = name.rsplit(" as ").next().unwrap().trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.clone());
            }
        }
    }
    out
}

/// Each top-level module of `src` and the other top-level modules it names.
fn dependencies(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let reexported = reexports(src);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let named = deps.entry(top.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // `use crate::{a, b::c}` on one line.
                    let group = group.split('}').next().unwrap();
                    named.extend(group.split(',').map(|p| first_segment(p.trim())));
                } else {
                    named.insert(first_segment(rest));
                }
            }
        }
        let through_root: Vec<String> = named
            .iter()
            .filter_map(|n| reexported.get(n).cloned())
            .collect();
        named.extend(through_root);
        named.remove(&top);
    }
    let modules: BTreeSet<String> = deps.keys().cloned().collect();
    for named in deps.values_mut() {
        named.retain(|m| modules.contains(m));
    }
    deps
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The groups of two or more modules that reach each other (Tarjan's strongly connected
/// components).
fn circles(deps: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        deps: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in &self.deps[v] {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = Vec::new();
                loop {
                    let w = self.stack.pop().unwrap();
                    group.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        deps,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for m in deps.keys() {
        if !walk.index.contains_key(m.as_str()) {
            walk.visit(m);
        }
    }
    walk.found
}

fn assert_layered(crate_dir: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(crate_dir)
        .join("src");
    let deps = dependencies(&src);
    assert!(deps.len() > 5, "{}: {:?}", src.display(), deps.keys());
    let found = circles(&deps);
    assert!(
        found.is_empty(),
        "{}: modules in a circle: {found:?}\n{:#?}",
        src.display(),
        found
            .iter()
            .flatten()
            .map(|m| (m, &deps[m]))
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_engine_s_modules_depend_in_one_direction() {
    assert_layered(".");
}

// The other crates' sources sit beside the engine's. The shell's own tests run in a browser,
// and the console's wasm modules do not build natively, so they are checked from here.

#[test]
fn the_shell_s_modules_depend_in_one_direction() {
    assert_layered("../kms-web");
}

#[test]
fn the_cli_s_and_terraform_s_modules_depend_in_one_direction() {
    assert_layered("../kms-cli");
    assert_layered("../kms-terraform");
}

#[test]
fn the_console_s_modules_depend_in_one_direction() {
    assert_layered("../../web");
}

/// The check finds a circle when there is one.
#[test]
fn a_circle_is_found() {
    let deps: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(m, d)| (m.to_string(), d.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(circles(&deps), [["a", "b", "c"]]);
}
