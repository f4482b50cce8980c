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

/// Dot-separated non-empty identifiers of [0-9A-Za-z-]. In a pre-release, an identifier of digits only is numeric and
/// has no leading zero (semver.org item 9: `1.0.0-rc.01` is invalid); build metadata may have leading zeros.
const fn identifiers(b: &[u8], start: usize, end: usize, pre_release: bool) -> bool {
    if start == end {
        return false;
    }
    let mut i = start;
    let mut label_start = start;
    while i <= end {
        if i == end || b[i] == b'.' {
            if i == label_start {
                return false;
            }
            if pre_release && all_digits(b, label_start, i) && !numeric(b, label_start, i) {
                return false;
            }
            label_start = i + 1;
        } else if !(b[i].is_ascii_alphanumeric() || b[i] == b'-') {
            return false;
        }
        i += 1;
    }
    true
}

const fn all_digits(b: &[u8], start: usize, end: usize) -> bool {
    let mut i = start;
    while i < end {
        if !b[i].is_ascii_digit() {
            return false;
        }
        i += 1;
    }
    true
}

/// `^[a-z0-9]+(\.[a-z0-9_-]+)*/[1-9][0-9]*$`, at most 128 bytes: an interface id `name/revision` (rule P2).
pub const fn is_valid_interface_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > MAX_ID_LEN {
        return false;
    }
    let mut i = 0;
    while i < b.len() && is_lower_alnum(b[i]) {
        i += 1;
    }
    if i == 0 {
        return false;
    }
    while i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && (is_lower_alnum(b[i]) || b[i] == b'_' || b[i] == b'-') {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if i >= b.len() || b[i] != b'/' {
        return false;
    }
    i += 1;
    if i >= b.len() || b[i] < b'1' || b[i] > b'9' {
        return false;
    }
    i += 1;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            return false;
        }
        i += 1;
    }
    true
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
        if !identifiers(b, i + 1, build_start, true) {
            return false;
        }
    } else if i != build_start {
        return false;
    }
    if build_start < b.len() && !identifiers(b, build_start + 1, b.len(), false) {
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

/// Checks the interfaces one plugin lists (rule P2): at least one, every id `ns.name/revision`, no id twice.
/// Panics (a compile error in a const item) on the first violation.
pub const fn validate_interfaces(ids: &[&str]) {
    if ids.is_empty() {
        panic!("export_plugins!: a plugin must implement at least one interface");
    }
    let mut i = 0;
    while i < ids.len() {
        if !is_valid_interface_id(ids[i]) {
            panic!(
                "{}",
                "export_plugins!: an interface id is not ns.name/revision (^[a-z0-9]+(\\.[a-z0-9_-]+)*/[1-9][0-9]*$; rule P2)"
            );
        }
        let mut j = 0;
        while j < i {
            if str_eq(ids[j], ids[i]) {
                panic!(
                    "export_plugins!: a plugin lists the same interface twice (interface ids are unique per plugin, rule P2)"
                );
            }
            j += 1;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_vectors::read_vectors;

    /// Every case of a shared vector file (interop/vectors), which the hosts and the other SDKs run too.
    fn expect_verdicts(file: &str, rule: fn(&str) -> bool) {
        let mut wrong = Vec::new();
        for v in read_vectors(file) {
            assert!(v.kind == "valid" || v.kind == "invalid", "{}", v.at());
            // A vector that is not UTF-8 cannot be a &str: such text is invalid by construction.
            let verdict = std::str::from_utf8(&v.fields[0]).map(rule).unwrap_or(false);
            if verdict != (v.kind == "valid") {
                wrong.push(format!("{}: {:?}", v.at(), String::from_utf8_lossy(&v.fields[0])));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn s11_plugin_ids_as_the_vectors_say() {
        expect_verdicts("plugin-ids.tsv", is_valid_plugin_id);
    }

    #[test]
    fn s11_interface_ids_as_the_vectors_say() {
        expect_verdicts("interface-ids.tsv", is_valid_interface_id);
    }

    #[test]
    fn s11_semantic_versions_as_the_vectors_say() {
        expect_verdicts("versions.tsv", is_valid_semver);
    }

    #[test]
    fn interface_lists_are_checked() {
        validate_interfaces(&["np.transform/1", "acme.greeter/1", "acme.greeter/2"]);
        for bad in [&[][..], &["np.transform/1", "np.transform/1"], &["acme.greeter"]] {
            assert!(std::panic::catch_unwind(|| validate_interfaces(bad)).is_err(), "{bad:?}");
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
