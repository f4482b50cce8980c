//! The config string handed to `create`, and the `key=value;key=value` parser every sample plugin uses.
//!
//! Grammar (the same as the C SDK's np_config.h): options separated by `;`; each option is `key=value`. Keys are
//! trimmed of ASCII blanks and must be non-empty; values are taken verbatim (they may contain spaces and `=`, not
//! `;`); typed getters trim them. Empty segments (`a=1;;b=2`, a
//! trailing `;`, an empty or all-blank config) are ignored. A key given twice, a segment without `=`, and a key the
//! plugin does not know are `NP_ERR_CONFIG` errors whose message names the offending key.

use std::fmt::Display;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Trims the ASCII blanks the C SDK trims (space, tab, CR, LF).
fn trim_blanks(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\n'])
}

/// The config of a new instance: UTF-8 text (the SDK has already checked it), borrowed for the `create` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config<'a> {
    text: &'a str,
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

    /// Every `key=value` option in order, without checking the keys.
    pub fn entries(&self) -> Result<Vec<(&'a str, &'a str)>> {
        let mut entries: Vec<(&'a str, &'a str)> = Vec::new();
        for segment in self.text.split(';') {
            if trim_blanks(segment).is_empty() {
                continue;
            }
            let Some((key, value)) = segment.split_once('=') else {
                return Err(Error::config(format!(
                    "malformed option '{}': expected key=value (options are separated by ';')",
                    trim_blanks(segment)
                )));
            };
            let key = trim_blanks(key);
            if key.is_empty() {
                return Err(Error::config(format!("malformed option '{}': the key is empty", trim_blanks(segment))));
            }
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(Error::config(format!("option '{key}' is given more than once")));
            }
            entries.push((key, value));
        }
        Ok(entries)
    }

    /// Parses the config and checks every key against `known`: an unknown key is `NP_ERR_CONFIG` naming it.
    pub fn options(&self, known: &[&str]) -> Result<Options<'a>> {
        let entries = self.entries()?;
        for (key, _) in &entries {
            if !known.contains(key) {
                let hint = if known.is_empty() {
                    "this plugin takes no options".to_string()
                } else {
                    format!("known keys: {}", known.join(", "))
                };
                return Err(Error::config(format!("unknown key '{key}' ({hint})")));
            }
        }
        Ok(Options { entries })
    }
}

/// Parsed, key-checked options. Getters return typed values or `NP_ERR_CONFIG` naming the option and the value.
#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    entries: Vec<(&'a str, &'a str)>,
}

impl<'a> Options<'a> {
    /// The raw value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.entries.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The raw value of `key`, or `default`.
    pub fn get_or(&self, key: &str, default: &'a str) -> &'a str {
        self.get(key).unwrap_or(default)
    }

    /// The value of `key` that must be given and non-empty.
    pub fn require(&self, key: &str) -> Result<&'a str> {
        match self.get(key) {
            Some(v) if !v.is_empty() => Ok(v),
            Some(_) => Err(Error::config(format!("option '{key}' must not be empty"))),
            None => Err(Error::config(format!("option '{key}' is required"))),
        }
    }

    /// `key` parsed with `FromStr` (surrounding whitespace ignored), or `default` when absent.
    pub fn parse_or<T>(&self, key: &str, default: T) -> Result<T>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => trim_blanks(raw)
                .parse::<T>()
                .map_err(|e| Error::config(format!("option '{key}': invalid value '{raw}': {e}"))),
        }
    }

    /// `key` as one of `choices`, or `default` when absent.
    pub fn choice(&self, key: &str, choices: &[&'static str], default: &'static str) -> Result<&'static str> {
        let Some(raw) = self.get(key) else { return Ok(default) };
        let raw = trim_blanks(raw);
        choices.iter().copied().find(|c| *c == raw).ok_or_else(|| {
            Error::config(format!("option '{key}': invalid value '{raw}' (expected one of: {})", choices.join(", ")))
        })
    }

    /// `key` as a boolean (`true`/`false`/`1`/`0`, as in the C SDK), or `default` when absent.
    pub fn flag(&self, key: &str, default: bool) -> Result<bool> {
        let Some(raw) = self.get(key) else { return Ok(default) };
        match trim_blanks(raw) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => {
                Err(Error::config(format!("option '{key}': invalid value '{other}' (expected true, false, 1 or 0)")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nplug_abi::NP_ERR_CONFIG;

    #[test]
    fn parses_key_value_pairs() {
        let options = Config::new(" field = user.name ;on_error=skip;;").options(&["field", "on_error"]).unwrap();
        assert_eq!(options.get("field"), Some(" user.name "), "values are verbatim");
        assert_eq!(options.get("on_error"), Some("skip"));
        assert_eq!(options.get("missing"), None);
        assert_eq!(options.get_or("missing", "d"), "d");
    }

    #[test]
    fn empty_and_blank_configs_mean_defaults() {
        for text in ["", "  ", ";", " ; ; "] {
            let config = Config::new(text);
            assert!(config.entries().unwrap().is_empty(), "{text:?}");
        }
        assert!(Config::new(" ").is_blank());
        assert!(!Config::new("a=1").is_blank());
    }

    #[test]
    fn values_may_contain_equals_signs() {
        let options = Config::new("pattern=a=b").options(&["pattern"]).unwrap();
        assert_eq!(options.get("pattern"), Some("a=b"));
    }

    #[test]
    fn unknown_key_is_a_config_error_naming_it() {
        let err = Config::new("field=a;colour=red").options(&["field", "on_error"]).unwrap_err();
        assert_eq!(err.status(), NP_ERR_CONFIG);
        assert!(err.message().contains("unknown key 'colour'"), "{}", err.message());
        assert!(err.message().contains("field, on_error"), "{}", err.message());
        let err = Config::new("x=1").options(&[]).unwrap_err();
        assert!(err.message().contains("takes no options"), "{}", err.message());
    }

    #[test]
    fn malformed_segments_are_config_errors() {
        for (text, needle) in [("field", "'field'"), ("=3", "key is empty"), ("a=1;a=2", "'a' is given more than once")]
        {
            let err = Config::new(text).options(&["field", "a"]).unwrap_err();
            assert_eq!(err.status(), NP_ERR_CONFIG);
            assert!(err.message().contains(needle), "{text}: {}", err.message());
        }
    }

    #[test]
    fn typed_getters_name_the_option_and_value() {
        let options = Config::new("n=12;bad=x1;mode=fail;on=1").options(&["n", "bad", "mode", "on"]).unwrap();
        assert_eq!(options.parse_or::<u32>("n", 0).unwrap(), 12);
        assert_eq!(options.parse_or::<u32>("absent", 5).unwrap(), 5);
        let err = options.parse_or::<u32>("bad", 0).unwrap_err();
        assert!(err.message().contains("option 'bad': invalid value 'x1'"), "{}", err.message());
        assert_eq!(options.choice("mode", &["skip", "fail"], "skip").unwrap(), "fail");
        let err = options.choice("n", &["skip", "fail"], "skip").unwrap_err();
        assert!(err.message().contains("skip, fail"), "{}", err.message());
        assert!(options.flag("on", false).unwrap());
        assert!(options.flag("bad", false).is_err());
        assert!(options.require("absent").unwrap_err().message().contains("required"));
    }
}
