//! Compile-time checks of plugin metadata against rule P2, run by `export_plugins!` in a `const` item: a bad id,
//! version or name, or two plugins with the same id, fail the build instead of being refused by every host.

use crate::plugin::PluginInfo;

/// Longest plugin id (P2).
pub const MAX_ID_LEN: usize = 128;

const fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `^[a-z0-9]+(\.[a-z0-9_-]+)+$`, at most 128 bytes.
pub const fn is_valid_plugin_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > MAX_ID_LEN {
        return false;
    }
    let mut i = 0;
    // First label: [a-z0-9]+
    while i < b.len() && is_lower_alnum(b[i]) {
        i += 1;
    }
    if i == 0 {
        return false;
    }
    let mut labels_after = 0;
    while i < b.len() {
        if b[i] != b'.' {
            return false;
        }
        i += 1;
        let start = i;
        while i < b.len() && (is_lower_alnum(b[i]) || b[i] == b'_' || b[i] == b'-') {
            i += 1;
        }
        if i == start {
            return false;
        }
        labels_after += 1;
    }
    labels_after >= 1
}

/// A numeric semver identifier: digits, no leading zero unless it is "0".
const fn numeric(b: &[u8], start: usize, end: usize) -> bool {
    if start == end {
        return false;
    }
    if b[start] == b'0' && end - start > 1 {
        return false;
    }
    let mut i = start;
    while i < end {
        if !b[i].is_ascii_digit() {
            return false;
        }
        i += 1;
    }
    true
}

/// Dot-separated non-empty identifiers of [0-9A-Za-z-].
const fn identifiers(b: &[u8], start: usize, end: usize) -> bool {
    if start == end {
        return false;
    }
    let mut i = start;
    let mut label = 0;
    while i < end {
        if b[i] == b'.' {
            if label == 0 {
                return false;
            }
            label = 0;
        } else if b[i].is_ascii_alphanumeric() || b[i] == b'-' {
            label += 1;
        } else {
            return false;
        }
        i += 1;
    }
    label > 0
}

/// Semantic version 2.0.0: `MAJOR.MINOR.PATCH[-pre][+build]`.
pub const fn is_valid_semver(version: &str) -> bool {
    let b = version.as_bytes();
    let mut i = 0;
    let mut part = 0;
    let mut start = 0;
    // MAJOR.MINOR.PATCH
    while part < 3 {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if !numeric(b, start, i) {
            return false;
        }
        part += 1;
        if part < 3 {
            if i >= b.len() || b[i] != b'.' {
                return false;
            }
            i += 1;
            start = i;
        }
    }
    if i == b.len() {
        return true;
    }
    let mut build_start = b.len();
    let mut j = i;
    while j < b.len() {
        if b[j] == b'+' {
            build_start = j;
            break;
        }
        j += 1;
    }
    if b[i] == b'-' {
        if !identifiers(b, i + 1, build_start) {
            return false;
        }
    } else if i != build_start {
        return false;
    }
    if build_start < b.len() && !identifiers(b, build_start + 1, b.len()) {
        return false;
    }
    true
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Checks every plugin of a library; panics (a compile error in a const item) on the first violation of P2.
pub const fn validate_plugins(plugins: &[PluginInfo]) {
    if plugins.is_empty() {
        panic!("export_plugins!: a library must export at least one plugin");
    }
    if plugins.len() > u32::MAX as usize {
        panic!("export_plugins!: too many plugins");
    }
    let mut i = 0;
    while i < plugins.len() {
        let p = &plugins[i];
        if !is_valid_plugin_id(p.id) {
            panic!(
                "{}",
                "export_plugins!: a plugin id is not reverse-DNS (^[a-z0-9]+(\\.[a-z0-9_-]+)+$, at most 128 bytes; rule P2)"
            );
        }
        if p.name.is_empty() {
            panic!("export_plugins!: a plugin name is empty (rule P2)");
        }
        if !is_valid_semver(p.version) {
            panic!("export_plugins!: a plugin version is not a semantic version like 1.2.0 (rule P2)");
        }
        let mut j = 0;
        while j < i {
            if str_eq(plugins[j].id, p.id) {
                panic!("export_plugins!: two plugins share an id (rule P2)");
            }
            j += 1;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_ids() {
        for ok in ["org.example", "org.nativeplugins.rust.json-field", "a1.b_c.d-e", "x.0"] {
            assert!(is_valid_plugin_id(ok), "{ok}");
        }
        let too_long = format!("a.{}", "b".repeat(127));
        for bad in ["", "org", "Org.example", "org..x", ".org.x", "org.x.", "org.ex ample", "org/x", "-a.b", &too_long]
        {
            assert!(!is_valid_plugin_id(bad), "{bad}");
        }
    }

    #[test]
    fn semantic_versions() {
        for ok in ["0.1.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0+build.5", "1.0.0-rc.1+sha.abc"]
        {
            assert!(is_valid_semver(ok), "{ok}");
        }
        for bad in ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.x", "1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3 ", "v1.2.3"]
        {
            assert!(!is_valid_semver(bad), "{bad}");
        }
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let a = PluginInfo::new("org.a.x", "A", "1.0.0");
        validate_plugins(&[a, PluginInfo::new("org.a.y", "B", "1.0.0")]);
        let result = std::panic::catch_unwind(|| validate_plugins(&[a, a]));
        assert!(result.is_err());
    }
}
