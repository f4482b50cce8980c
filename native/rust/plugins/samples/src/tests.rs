//! The sample plugins driven through their real C ABI (this crate's `np_entry`), as a host drives them.

use std::sync::{Mutex, MutexGuard};

use nplug_sdk::abi::{NP_ERR_CONFIG, NP_ERR_INPUT, NP_ERR_OUT_OF_MEMORY};
use nplug_sdk::testing::{TestEmitter, TestLibrary};

const JSON_FIELD: &str = "org.nativeplugins.rust.json-field";
const DEDUP: &str = "org.nativeplugins.rust.dedup";

/// init/deinit are ref-counted per process: load the library in one test at a time.
fn load() -> (MutexGuard<'static, ()>, TestLibrary) {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    (guard, TestLibrary::load(crate::np_entry).expect("libnp_rust_samples loads"))
}

#[test]
fn the_library_exports_both_plugins() {
    let (_g, library) = load();
    assert_eq!(library.plugin_ids(), vec![JSON_FIELD, DEDUP]);
}

// ---- json-field ------------------------------------------------------------------------------------------------

#[test]
fn json_field_extracts_values_as_text() {
    let (_g, library) = load();
    let mut plugin = library.create(JSON_FIELD, "field=user").unwrap();
    let out = plugin
        .process(&[
            r#"{"user": "ada", "id": 1}"#,
            r#"{"id": 2, "user": "bob \"the builder\" \u00e9"}"#,
            r#"{"user": 42}"#,
            r#"{"user": {"name": "x"}}"#,
            r#"{"id": 5}"#,
            r#"  {"user": null}  "#,
        ])
        .unwrap();
    assert_eq!(out, vec!["ada", "bob \"the builder\" é", "42", r#"{"name": "x"}"#, "null"]);
}

#[test]
fn json_field_follows_dotted_paths() {
    let (_g, library) = load();
    let mut plugin = library.create(JSON_FIELD, "field=user.address.city").unwrap();
    let out =
        plugin.process(&[r#"{"user": {"address": {"city": "Paris"}}}"#, r#"{"user": {"address": "none"}}"#]).unwrap();
    assert_eq!(out, vec!["Paris"]);
    let mut plugin = library.create(JSON_FIELD, "field=items.1.id").unwrap();
    assert_eq!(plugin.process(&[r#"{"items": [{"id": 1}, {"id": 2}]}"#]).unwrap(), vec!["2"]);
}

#[test]
fn json_field_malformed_line_fails_naming_the_record() {
    let (_g, library) = load();
    let mut plugin = library.create(JSON_FIELD, "field=user").unwrap();
    plugin.process(&[r#"{"user": "a"}"#, r#"{"user": "b"}"#]).unwrap();
    let mut out = TestEmitter::new();
    let err = plugin.process_into(&[r#"{"user": "c"}"#, r#"{"user": "d""#, r#"{"user": "e"}"#], &mut out).unwrap_err();
    assert_eq!(err.status, NP_ERR_INPUT);
    assert_eq!(
        err.message,
        "record 1 of the batch (record 3 of the stream): malformed JSON at byte 12: expected ',' or '}' in an object"
    );
    assert_eq!(out.strings(), vec!["c"], "what was emitted before the failure stays emitted");
    // The instance stays usable.
    assert_eq!(plugin.process(&[r#"{"user": "f"}"#]).unwrap(), vec!["f"]);
}

#[test]
fn json_field_skips_malformed_lines_when_asked_and_reports_them_at_flush() {
    let (_g, library) = load();
    let mut plugin = library.create(JSON_FIELD, "field=user;on_error=skip").unwrap();
    let out = plugin.process(&["not json", r#"{"user": "ok"}"#, "", "{\"user\": \"\u{0}\"}"]).unwrap();
    assert_eq!(out, vec!["ok"]);
    assert!(plugin.flush().unwrap().is_empty());
    let warning = library.host().logs().into_iter().find(|(_, m)| m.contains("skipped 3 malformed records of 4"));
    assert!(warning.is_some(), "{:?}", library.host().logs());
}

#[test]
fn json_field_missing_policies() {
    let (_g, library) = load();
    let records = [r#"{"a": 1}"#, r#"{"b": 2}"#];
    let mut empty = library.create(JSON_FIELD, "field=a;missing=empty").unwrap();
    assert_eq!(empty.process(&records).unwrap(), vec!["1", ""]);
    let mut fail = library.create(JSON_FIELD, "field=a;missing=fail").unwrap();
    let err = fail.process(&records).unwrap_err();
    assert_eq!(err.status, NP_ERR_INPUT);
    assert!(
        err.message.contains("record 1 of the batch") && err.message.contains("field 'a' not found"),
        "{}",
        err.message
    );
}

#[test]
fn json_field_config_errors() {
    let (_g, library) = load();
    for (config, needle) in [
        ("", "missing required config key 'field'"),
        ("field=", "config key 'field' must not be empty"),
        ("field=a..b", "empty segment"),
        ("field=a;on_error=ignore", "config key 'on_error' must be one of fail|skip, got 'ignore'"),
        ("colour=red", "unknown config key 'colour' (known keys: field, on_error, missing)"),
    ] {
        let err = library.create(JSON_FIELD, config).err().unwrap();
        assert_eq!(err.status, NP_ERR_CONFIG, "{config}");
        assert!(err.message.contains(needle), "{config}: {}", err.message);
    }
}

#[test]
fn json_field_handles_large_records_and_tiny_emitters() {
    let (_g, library) = load();
    let mut plugin = library.create(JSON_FIELD, "field=big").unwrap();
    let big = "é\\n".repeat(200_000);
    let record = format!(r#"{{"pad": [1,2,3], "big": "{big}"}}"#);
    let mut out = TestEmitter::with_capacity(1, 1).exact_growth();
    plugin.process_into(&[record.as_str(), r#"{"big": "x"}"#], &mut out).unwrap();
    let strings = out.strings();
    assert_eq!(strings[0], "é\n".repeat(200_000));
    assert_eq!(strings[1], "x");
}

#[test]
fn json_field_counts_in_stats() {
    let (_g, library) = load();
    let mut plugin = library.create(JSON_FIELD, "field=a").unwrap();
    plugin.process(&[r#"{"a":"xy"}"#, r#"{"b":1}"#]).unwrap();
    let stats = plugin.stats().unwrap();
    assert_eq!((stats.records_in, stats.records_out, stats.bytes_in, stats.bytes_out), (2, 1, 17, 2));
}

// ---- dedup -----------------------------------------------------------------------------------------------------

#[test]
fn dedup_emits_first_occurrences_across_batches() {
    let (_g, library) = load();
    let mut plugin = library.create(DEDUP, "").unwrap();
    assert_eq!(plugin.process(&["a", "b", "a", "c", "b"]).unwrap(), vec!["a", "b", "c"]);
    assert_eq!(plugin.process(&["c", "d", "", ""]).unwrap(), vec!["d", ""]);
}

#[test]
fn dedup_resets_at_flush() {
    let (_g, library) = load();
    let mut plugin = library.create(DEDUP, "").unwrap();
    assert_eq!(plugin.process(&["a", "a"]).unwrap(), vec!["a"]);
    assert!(plugin.flush().unwrap().is_empty());
    assert!(plugin.flush().unwrap().is_empty());
    assert_eq!(plugin.process(&["a", "a"]).unwrap(), vec!["a"], "a new stream starts fresh");
}

#[test]
fn dedup_max_entries_forgets_the_oldest() {
    let (_g, library) = load();
    let mut plugin = library.create(DEDUP, "max_entries=2").unwrap();
    // Remembered: a, b; then c evicts a; so a is new again (and evicts b).
    assert_eq!(plugin.process(&["a", "b", "a", "c", "a", "c", "b"]).unwrap(), vec!["a", "b", "c", "a", "b"]);
}

#[test]
fn dedup_ignore_case() {
    let (_g, library) = load();
    let mut plugin = library.create(DEDUP, "ignore_case=true").unwrap();
    assert_eq!(plugin.process(&["Hello", "HELLO", "hello", "World"]).unwrap(), vec!["Hello", "World"]);
}

#[test]
fn dedup_config_errors() {
    let (_g, library) = load();
    for (config, needle) in [
        ("max_entries=0", "config key 'max_entries' must be an integer in 1..4294967295, got '0'"),
        ("max_entries=lots", "config key 'max_entries' must be an integer in 1..4294967295, got 'lots'"),
        ("ignore_case=maybe", "config key 'ignore_case' must be true, false, 1 or 0, got 'maybe'"),
        ("window=3", "unknown config key 'window' (known keys: max_entries, ignore_case)"),
    ] {
        let err = library.create(DEDUP, config).err().unwrap();
        assert_eq!(err.status, NP_ERR_CONFIG, "{config}");
        assert!(err.message.contains(needle), "{config}: {}", err.message);
    }
}

#[test]
fn dedup_does_not_remember_a_record_the_host_could_not_take() {
    let (_g, library) = load();
    let mut plugin = library.create(DEDUP, "").unwrap();
    let mut out = TestEmitter::with_capacity(1, 2).fail_reserve_after(0);
    let err = plugin.process_into(&["a", "bb"], &mut out).unwrap_err();
    assert_eq!(err.status, NP_ERR_OUT_OF_MEMORY);
    assert_eq!(out.strings(), vec!["a"]);
    // "bb" was not emitted, so it is not a duplicate now.
    assert_eq!(plugin.process(&["a", "bb"]).unwrap(), vec!["bb"]);
}
