//! The config string handed to `create`, and the `key=value;key=value` grammar every SDK shares.
//!
//! Grammar (interop/README.md section 7, "Config strings"; every case with its exact message is in
//! interop/vectors/config.tsv, which the C and C# SDKs run too): parts separated by `;` (no escape: a value cannot
//! contain `;`); blank parts are skipped; a part is `key=value`, split at the first `=`; key and value are trimmed of
//! space, TAB, CR and LF; keys and values are case-sensitive. One pass from left to right; for each part: no `=`, an
//! empty key, an unknown key, a key given twice, the value's own check; then missing required keys in declaration
//! order. All errors are `NP_ERR_CONFIG`.
//!
//! Declare the options once with a [`Schema`] (the SDK then names an unknown key before any other problem):
//!
//! ```
//! use nplug_sdk::{Config, ConfigOption, Schema};
//! const OPTIONS: Schema = Schema::new(&[
//!     ConfigOption::string("pattern").required().nonempty(),
//!     ConfigOption::flag("invert"),
//!     ConfigOption::int("limit", 0, 100),
//! ]);
//! let values = OPTIONS.parse(&Config::new("pattern=x; invert=1")).unwrap();
//! assert_eq!(values.str("pattern"), Some("x"));
//! assert_eq!(values.flag("invert"), Some(true));
//! assert_eq!(values.int("limit"), None);
//! ```

use std::fmt::Display;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Trims the blanks of the grammar (space, tab, CR, LF).
fn trim_blanks(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\n'])
}

/// The config of a new instance: UTF-8 text (the SDK has already checked it), borrowed for the `create` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config<'a> {
    text: &'a str,
}

/// One `key=value` part: its 1-based number (counting blank parts), key and value, both trimmed.
struct Part<'a> {
    key: &'a str,
    value: &'a str,
}

impl<'a> Config<'a> {
    /// A config from text (the SDK builds it from the host's `np_str_t`; tests build it directly).
    pub const fn new(text: &'a str) -> Self {
        Config { text }
    }

    /// The config exactly as the host passed it.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// True when the config is empty or blank: the plugin's defaults apply.
    pub fn is_blank(&self) -> bool {
        trim_blanks(self.text).is_empty()
    }

    /// The parts in order, with the syntax checks of the grammar (no `=`, empty key), calling `check` on each part
    /// before the next one is read, so that errors come in the grammar's order.
    fn parts(&self, mut check: impl FnMut(Part<'a>) -> Result<()>) -> Result<()> {
        for (index, segment) in self.text.split(';').enumerate() {
            let part = trim_blanks(segment);
            if part.is_empty() {
                continue;
            }
            let number = index + 1;
            let Some((key, value)) = segment.split_once('=') else {
                return Err(Error::config(format!("config part {number} '{part}' is not key=value")));
            };
            let key = trim_blanks(key);
            if key.is_empty() {
                return Err(Error::config(format!("config part {number} '{part}' has an empty key")));
            }
            check(Part { key, value: trim_blanks(value) })?;
        }
        Ok(())
    }

    /// Every `key=value` option in order (trimmed), checking the syntax and duplicates but not the keys.
    pub fn entries(&self) -> Result<Vec<(&'a str, &'a str)>> {
        let mut entries: Vec<(&'a str, &'a str)> = Vec::new();
        self.parts(|p| {
            if entries.iter().any(|(k, _)| *k == p.key) {
                return Err(duplicate(p.key));
            }
            entries.push((p.key, p.value));
            Ok(())
        })?;
        Ok(entries)
    }

    /// Parses the config and checks every key against `known` (in the grammar's order: an unknown key is named
    /// before a duplicate that follows it). Values are then read with the typed getters of [`Options`]. Prefer a
    /// [`Schema`], which also checks every value in the grammar's order.
    pub fn options(&self, known: &[&str]) -> Result<Options<'a>> {
        let mut entries: Vec<(&'a str, &'a str)> = Vec::new();
        self.parts(|p| {
            if !known.contains(&p.key) {
                return Err(unknown(p.key, known.iter().copied()));
            }
            if entries.iter().any(|(k, _)| *k == p.key) {
                return Err(duplicate(p.key));
            }
            entries.push((p.key, p.value));
            Ok(())
        })?;
        Ok(Options { entries })
    }
}

fn unknown<'k>(key: &str, known: impl Iterator<Item = &'k str>) -> Error {
    let known: Vec<&str> = known.collect();
    let hint = if known.is_empty() {
        "this plugin takes no config".to_string()
    } else {
        format!("known keys: {}", known.join(", "))
    };
    Error::config(format!("unknown config key '{key}' ({hint})"))
}

fn duplicate(key: &str) -> Error {
    Error::config(format!("config key '{key}' is given more than once"))
}

fn bad_bool(key: &str, value: &str) -> Error {
    Error::config(format!("config key '{key}' must be true, false, 1 or 0, got '{value}'"))
}

fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// An integer of the grammar: an optional `-` then ASCII digits (no `+`, no blanks inside), as i128 so that both u64
/// and negative values are representable; None when it is not one (or does not fit).
fn parse_int(value: &str) -> Option<i128> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<i128>().ok()
}

/// What kind of value an option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// Text (trimmed).
    String {
        /// The key must be given.
        required: bool,
        /// The value must not be empty.
        nonempty: bool,
    },
    /// `true`, `false`, `1` or `0`.
    Bool,
    /// An unsigned integer within `min..=max`.
    Int {
        /// The least value.
        min: u64,
        /// The greatest value.
        max: u64,
    },
    /// One of the choices, exactly.
    Choice(&'static [&'static str]),
}

/// One option of a [`Schema`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigOption {
    /// The key.
    pub key: &'static str,
    /// Its kind.
    pub kind: OptionKind,
}

impl ConfigOption {
    /// A string option (optional, may be empty).
    pub const fn string(key: &'static str) -> Self {
        ConfigOption { key, kind: OptionKind::String { required: false, nonempty: false } }
    }

    /// A boolean option.
    pub const fn flag(key: &'static str) -> Self {
        ConfigOption { key, kind: OptionKind::Bool }
    }

    /// An unsigned integer option within `min..=max`.
    pub const fn int(key: &'static str, min: u64, max: u64) -> Self {
        ConfigOption { key, kind: OptionKind::Int { min, max } }
    }

    /// An option whose value is one of `choices`.
    pub const fn choice(key: &'static str, choices: &'static [&'static str]) -> Self {
        ConfigOption { key, kind: OptionKind::Choice(choices) }
    }

    /// A string option that must be given.
    pub const fn required(self) -> Self {
        match self.kind {
            OptionKind::String { nonempty, .. } => {
                ConfigOption { key: self.key, kind: OptionKind::String { required: true, nonempty } }
            }
            _ => panic!("ConfigOption::required applies to string options"),
        }
    }

    /// A string option whose value must not be empty.
    pub const fn nonempty(self) -> Self {
        match self.kind {
            OptionKind::String { required, .. } => {
                ConfigOption { key: self.key, kind: OptionKind::String { required, nonempty: true } }
            }
            _ => panic!("ConfigOption::nonempty applies to string options"),
        }
    }
}

/// A parsed, checked value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string option's trimmed text (borrowed from the config).
    Str(&'a str),
    /// A boolean option.
    Bool(bool),
    /// An integer option.
    Int(u64),
    /// A choice option's choice.
    Choice(&'static str),
}

/// The options of a plugin, declared once: [`Schema::parse`] applies the whole grammar, in its order, with the
/// messages every SDK gives.
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    options: &'static [ConfigOption],
}

impl Schema {
    /// A schema of `options` (in the order messages list them).
    pub const fn new(options: &'static [ConfigOption]) -> Self {
        Schema { options }
    }

    /// The declared options.
    pub const fn options(&self) -> &'static [ConfigOption] {
        self.options
    }

    /// Parses and checks `config`: the given keys with their values, or the first `NP_ERR_CONFIG` of the grammar.
    pub fn parse<'a>(&self, config: &Config<'a>) -> Result<Values<'a>> {
        let mut values: Vec<(&'static str, Value<'a>)> = Vec::new();
        config.parts(|p| {
            let Some(option) = self.options.iter().find(|o| o.key == p.key) else {
                return Err(unknown(p.key, self.options.iter().map(|o| o.key)));
            };
            if values.iter().any(|(k, _)| *k == option.key) {
                return Err(duplicate(option.key));
            }
            let key = option.key;
            let value = match option.kind {
                OptionKind::String { nonempty, .. } => {
                    if nonempty && p.value.is_empty() {
                        return Err(Error::config(format!("config key '{key}' must not be empty")));
                    }
                    Value::Str(p.value)
                }
                OptionKind::Bool => Value::Bool(parse_bool(p.value).ok_or_else(|| bad_bool(key, p.value))?),
                OptionKind::Int { min, max } => match parse_int(p.value) {
                    Some(v) if v >= min as i128 && v <= max as i128 => Value::Int(v as u64),
                    _ => {
                        return Err(Error::config(format!(
                            "config key '{key}' must be an integer in {min}..{max}, got '{}'",
                            p.value
                        )));
                    }
                },
                OptionKind::Choice(choices) => match choices.iter().find(|c| **c == p.value) {
                    Some(c) => Value::Choice(c),
                    None => {
                        return Err(Error::config(format!(
                            "config key '{key}' must be one of {}, got '{}'",
                            choices.join("|"),
                            p.value
                        )));
                    }
                },
            };
            values.push((key, value));
            Ok(())
        })?;
        for option in self.options {
            if let OptionKind::String { required: true, .. } = option.kind
                && !values.iter().any(|(k, _)| *k == option.key)
            {
                return Err(Error::config(format!("missing required config key '{}'", option.key)));
            }
        }
        Ok(Values { values })
    }
}

/// The values a config gave, as [`Schema::parse`] checked them. Keys the config did not give are absent: apply
/// your defaults with `unwrap_or`.
#[derive(Clone, Debug, Default)]
pub struct Values<'a> {
    values: Vec<(&'static str, Value<'a>)>,
}

impl<'a> Values<'a> {
    /// The value of `key`, if the config gave it.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// A string option's value.
    pub fn str(&self, key: &str) -> Option<&'a str> {
        match self.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// A boolean option's value.
    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        }
    }

    /// An integer option's value.
    pub fn int(&self, key: &str) -> Option<u64> {
        match self.get(key) {
            Some(Value::Int(v)) => Some(v),
            _ => None,
        }
    }

    /// A choice option's value.
    pub fn choice(&self, key: &str) -> Option<&'static str> {
        match self.get(key) {
            Some(Value::Choice(c)) => Some(c),
            _ => None,
        }
    }

    /// The given keys and values, in the order of the config.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Value<'a>)> + '_ {
        self.values.iter().copied()
    }
}

/// Parsed, key-checked options (the lazy API: [`Config::options`]). Getters return typed values or `NP_ERR_CONFIG`
/// with the grammar's messages. Values are trimmed.
#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    entries: Vec<(&'a str, &'a str)>,
}

impl<'a> Options<'a> {
    /// The (trimmed) value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.entries.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The value of `key`, or `default`.
    pub fn get_or(&self, key: &str, default: &'a str) -> &'a str {
        self.get(key).unwrap_or(default)
    }

    /// The value of `key` that must be given and non-empty.
    pub fn require(&self, key: &str) -> Result<&'a str> {
        match self.get(key) {
            Some(v) if !v.is_empty() => Ok(v),
            Some(_) => Err(Error::config(format!("config key '{key}' must not be empty"))),
            None => Err(Error::config(format!("missing required config key '{key}'"))),
        }
    }

    /// `key` parsed with `FromStr`, or `default` when absent.
    pub fn parse_or<T>(&self, key: &str, default: T) -> Result<T>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => {
                raw.parse::<T>().map_err(|e| Error::config(format!("config key '{key}': invalid value '{raw}': {e}")))
            }
        }
    }

    /// `key` as one of `choices`, or `default` when absent.
    pub fn choice(&self, key: &str, choices: &[&'static str], default: &'static str) -> Result<&'static str> {
        let Some(raw) = self.get(key) else { return Ok(default) };
        choices.iter().copied().find(|c| *c == raw).ok_or_else(|| {
            Error::config(format!("config key '{key}' must be one of {}, got '{raw}'", choices.join("|")))
        })
    }

    /// `key` as a boolean (exactly `true`, `false`, `1` or `0`), or `default` when absent.
    pub fn flag(&self, key: &str, default: bool) -> Result<bool> {
        let Some(raw) = self.get(key) else { return Ok(default) };
        parse_bool(raw).ok_or_else(|| bad_bool(key, raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::read_vectors;
    use nplug_abi::NP_ERR_CONFIG;

    /// A schema of config.tsv (`name:type[:argument]`), leaked: schemas are static data.
    fn schema_of(fields: &[Vec<u8>]) -> Schema {
        let options: Vec<ConfigOption> = fields
            .iter()
            .map(|f| {
                let spec: &'static str = String::from_utf8(f.clone()).unwrap().leak();
                let mut parts = spec.splitn(3, ':');
                let (key, kind, arg) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap_or(""));
                match kind {
                    "string" => {
                        let mut o = ConfigOption::string(key);
                        if arg.split(',').any(|a| a == "required") {
                            o = o.required();
                        }
                        if arg.split(',').any(|a| a == "nonempty") {
                            o = o.nonempty();
                        }
                        o
                    }
                    "bool" => ConfigOption::flag(key),
                    "int" => {
                        let (min, max) = arg.split_once("..").unwrap();
                        ConfigOption::int(key, min.parse().unwrap(), max.parse().unwrap())
                    }
                    "choice" => ConfigOption::choice(key, arg.split('|').collect::<Vec<_>>().leak()),
                    other => panic!("unknown option type {other}"),
                }
            })
            .collect();
        Schema::new(options.leak())
    }

    fn text(value: &Value<'_>) -> String {
        match value {
            Value::Str(s) => s.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Int(v) => v.to_string(),
            Value::Choice(c) => c.to_string(),
        }
    }

    /// S9: every case of interop/vectors/config.tsv, which the C and C# SDKs run too.
    #[test]
    fn s9_every_case_of_config_tsv() {
        let mut schema = Schema::new(&[]);
        let mut wrong = Vec::new();
        let mut cases = 0;
        for v in read_vectors("config.tsv") {
            if v.kind == "schema" {
                schema = schema_of(&v.fields);
                continue;
            }
            assert_eq!(v.kind, "case", "{}", v.at());
            cases += 1;
            let config = Config::new(v.text(0));
            match (v.text(1), schema.parse(&config)) {
                ("ok", Ok(values)) => {
                    let mut got: Vec<String> = Vec::new();
                    for option in schema.options() {
                        if let Some(value) = values.get(option.key) {
                            got.push(format!("{}={}", option.key, text(&value)));
                        }
                    }
                    let expected: Vec<String> = (2..v.fields.len()).map(|i| v.text(i).to_string()).collect();
                    if got != expected {
                        wrong.push(format!("{}: parsed {got:?}, expected {expected:?}", v.at()));
                    }
                }
                ("error", Err(e)) => {
                    if e.status() != NP_ERR_CONFIG || e.message() != v.text(2) {
                        wrong.push(format!("{}: {:?}, expected {:?}", v.at(), e.message(), v.text(2)));
                    }
                }
                (kind, outcome) => wrong.push(format!("{}: expected {kind}, got {outcome:?}", v.at())),
            }
        }
        assert!(cases > 50);
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_lazy_api_trims_and_names_unknown_keys_first() {
        let options = Config::new(" field = user.name ;on_error=skip;;").options(&["field", "on_error"]).unwrap();
        assert_eq!(options.get("field"), Some("user.name"), "values are trimmed");
        assert_eq!(options.get_or("missing", "d"), "d");
        let err = Config::new("colour=red;field=a;field=b").options(&["field"]).unwrap_err();
        assert_eq!(err.message(), "unknown config key 'colour' (known keys: field)");
        let err = Config::new("x=1").options(&[]).unwrap_err();
        assert_eq!(err.message(), "unknown config key 'x' (this plugin takes no config)");
        let err = Config::new("a=1;a=2").options(&["a"]).unwrap_err();
        assert_eq!(err.message(), "config key 'a' is given more than once");
        let err = Config::new("a=1;b").options(&["a"]).unwrap_err();
        assert_eq!(err.message(), "config part 2 'b' is not key=value");
    }

    #[test]
    fn the_lazy_getters_give_the_grammars_messages() {
        let options =
            Config::new("n=12;bad=x1;mode=fail;on=1;off=yes").options(&["n", "bad", "mode", "on", "off"]).unwrap();
        assert_eq!(options.parse_or::<u32>("n", 0).unwrap(), 12);
        assert_eq!(options.parse_or::<u32>("absent", 5).unwrap(), 5);
        assert!(
            options.parse_or::<u32>("bad", 0).unwrap_err().message().contains("config key 'bad': invalid value 'x1'")
        );
        assert_eq!(options.choice("mode", &["skip", "fail"], "skip").unwrap(), "fail");
        assert_eq!(
            options.choice("n", &["skip", "fail"], "skip").unwrap_err().message(),
            "config key 'n' must be one of skip|fail, got '12'"
        );
        assert!(options.flag("on", false).unwrap());
        assert_eq!(
            options.flag("off", false).unwrap_err().message(),
            "config key 'off' must be true, false, 1 or 0, got 'yes'"
        );
        assert_eq!(options.require("absent").unwrap_err().message(), "missing required config key 'absent'");
    }

    #[test]
    #[should_panic(expected = "applies to string options")]
    fn required_is_for_strings_only() {
        let _ = ConfigOption::flag("x").required();
    }
}
