//! A desired set of link configs in a file (`kmirror link config diff`),
//! and its differences with the link's.
//!
//! TOML or YAML, `name = value`. Kafka config names have dots, which TOML
//! and YAML read as nesting (`consumer.offset.sync.enable = true` is a
//! table `consumer` ...): nested keys are joined back with dots, so a name
//! may be written bare, quoted, or nested.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::link_config::Config;
use crate::exit::CliError;
use crate::output::Out;

/// Reads the file: `.toml`, `.yaml` or `.yml` by its extension, else TOML
/// then YAML.
pub fn read(path: &Path) -> Result<BTreeMap<String, String>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let parsed: Result<Value, String> = match ext.as_deref() {
        Some("toml") => toml::from_str(&text).map_err(|e| format!("is not valid TOML: {e}")),
        Some("yaml" | "yml") => {
            yaml_serde::from_str(&text).map_err(|e| format!("is not valid YAML: {e}"))
        }
        _ => toml::from_str(&text)
            .or_else(|_| yaml_serde::from_str(&text))
            .map_err(|e| format!("is neither TOML nor YAML: {e}")),
    };
    let value = parsed.map_err(|e| CliError::Usage(format!("{} {e}", path.display())))?;
    let mut out = BTreeMap::new();
    match value {
        Value::Object(_) => flatten("", &value, &mut out)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?,
        Value::Null => {}
        _ => {
            return Err(CliError::Usage(format!(
                "{} must hold `name = value` pairs",
                path.display()
            )));
        }
    }
    Ok(out)
}

/// Nested tables become dotted names; a value becomes the text Kafka
/// takes (a list is comma-separated).
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) -> Result<(), String> {
    let text = |v: &Value| -> Result<String, String> {
        Ok(match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    Value::Bool(_) | Value::Number(_) => Ok(i.to_string()),
                    _ => Err(format!("{prefix}: a list may hold only plain values")),
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            Value::Object(_) => unreachable!("objects are flattened"),
        })
    };
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&name, child, out)?;
            }
        }
        other => {
            out.insert(prefix.to_string(), text(other)?);
        }
    }
    Ok(())
}

/// A config whose value differs.
#[derive(Debug, Serialize)]
pub struct Changed {
    pub name: String,
    pub desired: String,
    pub actual: String,
    pub is_default: bool,
}

/// A config set on the link and not named in the file.
#[derive(Debug, Serialize)]
pub struct Extra {
    pub name: String,
    pub actual: String,
}

/// The differences (`-o json`).
#[derive(Debug, Serialize)]
pub struct Diff {
    pub link_name: String,
    pub file: String,
    /// What makes the exit code 1: changed and unknown configs, and with
    /// `--exact` the extra ones.
    pub differences: usize,
    /// In the file with another value on the link.
    pub changed: Vec<Changed>,
    /// In the file, and not a config the link returns.
    pub unknown: Vec<String>,
    /// Set on the link (not its default), and not in the file.
    pub extra: Vec<Extra>,
    /// In the file, sensitive on the link: its value cannot be read, so it
    /// is not compared.
    pub not_compared: Vec<String>,
    /// Configs as desired.
    pub same: usize,
    pub exact: bool,
}

/// Compares every config the link returns (defaults included) with the
/// desired ones.
pub fn diff(
    link: &str,
    file: &Path,
    desired: &BTreeMap<String, String>,
    actual: &[Config],
    exact: bool,
) -> Diff {
    let by_name: BTreeMap<&str, &Config> = actual.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut d = Diff {
        link_name: link.to_string(),
        file: file.display().to_string(),
        differences: 0,
        changed: Vec::new(),
        unknown: Vec::new(),
        extra: Vec::new(),
        not_compared: Vec::new(),
        same: 0,
        exact,
    };
    for (name, want) in desired {
        match by_name.get(name.as_str()) {
            None => d.unknown.push(name.clone()),
            Some(c) if c.is_sensitive => d.not_compared.push(name.clone()),
            Some(c) if same_value(&c.value, want) => d.same += 1,
            Some(c) => d.changed.push(Changed {
                name: name.clone(),
                desired: want.clone(),
                actual: c.value.clone(),
                is_default: c.is_default,
            }),
        }
    }
    d.extra = actual
        .iter()
        .filter(|c| !c.is_default && !desired.contains_key(&c.name))
        .map(|c| Extra {
            name: c.name.clone(),
            actual: c.value.clone(),
        })
        .collect();
    d.differences = d.changed.len() + d.unknown.len() + if exact { d.extra.len() } else { 0 };
    d
}

/// Kafka reads booleans in any case; everything else is compared as
/// written, without surrounding space.
fn same_value(actual: &str, desired: &str) -> bool {
    let (a, w) = (actual.trim(), desired.trim());
    let boolean = |s: &str| s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false");
    if boolean(a) && boolean(w) {
        a.eq_ignore_ascii_case(w)
    } else {
        a == w
    }
}

impl Diff {
    pub fn human(&self, o: &Out) -> String {
        let mut text = format!(
            "Link {} against {}: {}\n",
            self.link_name,
            self.file,
            match self.differences {
                0 => o.green("as desired"),
                n => o.red(&format!("{n} difference(s)")),
            }
        );
        for c in &self.changed {
            let default = if c.is_default { " (default)" } else { "" };
            text.push_str(&format!(
                "  changed  {}: link {}{default}, file {}\n",
                c.name, c.actual, c.desired
            ));
        }
        for name in &self.unknown {
            text.push_str(&format!(
                "  unknown  {name}: in the file, not a config of the link\n"
            ));
        }
        for e in &self.extra {
            let counted = if self.exact {
                ""
            } else {
                " (not counted without --exact)"
            };
            text.push_str(&format!(
                "  extra    {}: set on the link ({}), not in the file{counted}\n",
                e.name, e.actual
            ));
        }
        for name in &self.not_compared {
            text.push_str(&format!(
                "  skipped  {name}: sensitive, its value cannot be read\n"
            ));
        }
        text.push_str(&format!("  {} config(s) as desired\n", self.same));
        if !self.changed.is_empty() {
            let set: Vec<String> = self
                .changed
                .iter()
                .map(|c| format!("{}={}", c.name, shell_word(&c.desired)))
                .collect();
            text.push_str(&format!(
                "To apply: kmirror link config set {} {}\n",
                self.link_name,
                set.join(" ")
            ));
        }
        if self.exact && !self.extra.is_empty() {
            let names: Vec<&str> = self.extra.iter().map(|e| e.name.as_str()).collect();
            text.push_str(&format!(
                "To reset the extra ones: kmirror link config reset {} {}\n",
                self.link_name,
                names.join(" ")
            ));
        }
        text
    }
}

/// A value as a shell word: quoted when it holds anything a shell reads.
fn shell_word(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-,:/@=+".contains(c))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str, value: &str, is_default: bool) -> Config {
        Config {
            name: name.into(),
            value: value.into(),
            is_default,
            is_sensitive: false,
            source: String::new(),
        }
    }

    fn read_text(name: &str, text: &str) -> BTreeMap<String, String> {
        let dir = std::env::temp_dir().join(format!("kmirror-config-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        read(&path).unwrap()
    }

    #[test]
    fn toml_and_yaml_give_the_same_names_however_written() {
        let want: BTreeMap<String, String> = [
            ("acl.filters", "a,b"),
            ("consumer.offset.sync.enable", "true"),
            ("consumer.offset.sync.ms", "10000"),
            ("link.mode", "DESTINATION"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let toml = read_text(
            "a.toml",
            "consumer.offset.sync.enable = true\n\"consumer.offset.sync.ms\" = 10000\n\
             acl.filters = [\"a\", \"b\"]\n[link]\nmode = \"DESTINATION\"\n",
        );
        assert_eq!(toml, want);
        let yaml = read_text(
            "a.yaml",
            "consumer.offset.sync.enable: true\nconsumer.offset.sync.ms: 10000\n\
             acl.filters: [a, b]\nlink:\n  mode: DESTINATION\n",
        );
        assert_eq!(yaml, want);
    }

    #[test]
    fn a_file_that_is_not_pairs_is_a_usage_error() {
        let dir = std::env::temp_dir();
        let path = dir.join(format!("kmirror-bad-{}.toml", std::process::id()));
        std::fs::write(&path, "this is = = not toml").unwrap();
        let e = read(&path).unwrap_err();
        assert!(
            matches!(&e, CliError::Usage(m) if m.contains("is not valid TOML")),
            "{e:?}"
        );
    }

    #[test]
    fn every_returned_config_is_compared_defaults_included() {
        let actual = [
            config("consumer.offset.sync.enable", "false", true),
            config("link.mode", "DESTINATION", false),
            config("acl.sync.enable", "TRUE", false),
            config("bootstrap.servers", "pkc:9092", false),
        ];
        let desired: BTreeMap<String, String> = [
            ("consumer.offset.sync.enable", "true"),
            ("link.mode", "DESTINATION"),
            ("acl.sync.enable", "true"),
            ("no.such.config", "1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let d = diff("l", Path::new("f.toml"), &desired, &actual, false);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].name, "consumer.offset.sync.enable");
        assert!(d.changed[0].is_default);
        assert_eq!(d.unknown, ["no.such.config"]);
        assert_eq!(d.extra.len(), 1);
        assert_eq!(d.extra[0].name, "bootstrap.servers");
        assert_eq!((d.same, d.differences), (2, 2));
        let exact = diff("l", Path::new("f.toml"), &desired, &actual, true);
        assert_eq!(exact.differences, 3);
    }

    #[test]
    fn values_are_quoted_for_the_shell_when_needed() {
        assert_eq!(shell_word("true"), "true");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
