//! End-to-end tests of the SDK through the real C ABI: `export_plugins!` generates `np_entry` in this test binary,
//! and the tests call it and the vtable functions directly, as a host does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use nplug_abi::*;

use crate::testing::{ErrorBuffer, OwnedBatch, TestEmitter, TestHost, TestLibrary, negotiation};
use crate::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Threading, Transform};

/// Echoes records. Options: `prefix`, `fail_on` (NP_ERR_INPUT on that record), `panic_on` (panics on that record),
/// `ignore_emit_errors` (a plugin that wrongly swallows a failed reserve).
struct Echo {
    host: Host,
    prefix: String,
    fail_on: Option<String>,
    panic_on: Option<String>,
    ignore_emit_errors: bool,
}

impl Plugin for Echo {
    const INFO: PluginInfo =
        PluginInfo::new("org.nplug.test.echo", "Echo", "1.0.0").description("echoes records").vendor("tests");
}

impl Transform for Echo {
    fn create(host: &Host, config: &Config<'_>) -> Result<Self, Error> {
        let options = config.options(&["prefix", "fail_on", "panic_on", "ignore_emit_errors", "panic_in_create"])?;
        if options.get("panic_in_create").is_some() {
            panic!("create exploded");
        }
        Ok(Echo {
            host: *host,
            prefix: options.get_or("prefix", "").to_string(),
            fail_on: options.get("fail_on").map(str::to_string),
            panic_on: options.get("panic_on").map(str::to_string),
            ignore_emit_errors: options.flag("ignore_emit_errors", false)?,
        })
    }

    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
        for (i, record) in batch.iter().enumerate() {
            if self.fail_on.as_deref().map(str::as_bytes) == Some(record) {
                return Err(Error::input(format!("record {i} is not welcome")).with_code(42));
            }
            if record == b"fail silently" {
                return Err(Error::plugin(""));
            }
            if self.panic_on.as_deref().map(str::as_bytes) == Some(record) {
                panic!("boom on record {i}");
            }
            let result = out.emit_parts(&[self.prefix.as_bytes(), record]);
            if !self.ignore_emit_errors {
                result?;
            }
        }
        crate::log_trace!(self.host, "echoed {} records", batch.len());
        Ok(())
    }
}

/// Holds everything back until flush; panics in Drop when configured with `panic_in_drop`; `fail_flush` makes flush
/// fail after emitting. Every flush that runs counts itself in FLUSH_RUNS (so tests see whether plugin code ran).
struct Holder {
    held: Vec<Vec<u8>>,
    panic_in_drop: bool,
    fail_flush: bool,
}

static FLUSH_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Plugin for Holder {
    const INFO: PluginInfo =
        PluginInfo::new("org.nplug.test.holder", "Holder", "0.1.0-beta.1").threading(Threading::ThreadSafe);
}

impl Transform for Holder {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self, Error> {
        let options = config.options(&["panic_in_drop", "fail_flush"])?;
        Ok(Holder {
            held: Vec::new(),
            panic_in_drop: options.flag("panic_in_drop", false)?,
            fail_flush: options.flag("fail_flush", false)?,
        })
    }
    fn process(&mut self, batch: &Batch<'_>, _out: &mut Emitter<'_>) -> Result<(), Error> {
        self.held.extend(batch.iter().map(<[u8]>::to_vec));
        Ok(())
    }
    fn flush(&mut self, out: &mut Emitter<'_>) -> Result<(), Error> {
        FLUSH_RUNS.fetch_add(1, Ordering::SeqCst);
        for record in self.held.drain(..) {
            out.emit(&record)?;
        }
        if self.fail_flush {
            return Err(Error::plugin("flush failed as configured"));
        }
        Ok(())
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if self.panic_in_drop {
            panic!("drop exploded");
        }
    }
}

/// Blocks inside `process` on a record "wait" until the test opens the gate (to provoke overlapping calls).
struct Gate;

static GATE_ENTERED: AtomicBool = AtomicBool::new(false);
static GATE_OPEN: AtomicBool = AtomicBool::new(false);

impl Plugin for Gate {
    const INFO: PluginInfo = PluginInfo::new("org.nplug.test.gate", "Gate", "1.0.0");
}

impl Transform for Gate {
    fn create(_host: &Host, _config: &Config<'_>) -> Result<Self, Error> {
        Ok(Gate)
    }
    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
        for record in batch {
            if record == b"wait" {
                GATE_ENTERED.store(true, Ordering::SeqCst);
                while !GATE_OPEN.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                }
            }
            out.emit(record)?;
        }
        Ok(())
    }
}

crate::export_plugins!(Echo, Holder, Gate);

/// The library's init count is process-global: tests that load it run one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn load() -> TestLibrary {
    TestLibrary::load(np_entry).expect("the test library loads")
}

// ---- negotiation (rule P1) ------------------------------------------------------------------------------------

fn call_entry(n: &mut np_negotiation_t) -> (np_status, *const np_library_t) {
    let mut library: *const np_library_t = std::ptr::null();
    let status = unsafe { np_entry(n, &mut library) };
    (status, library)
}

#[test]
fn negotiation_agrees_on_the_lower_minor_for_any_host_minor() {
    for (host_minor, agreed, fingerprint) in [
        (0, 0, NP_LAYOUT_FINGERPRINT_1_0),
        (1, 1, NP_LAYOUT_FINGERPRINT_1_1),
        (2, 2, NP_LAYOUT_FINGERPRINT_1_2),
        (3, 3, NP_LAYOUT_FINGERPRINT_1_3),
        (7, NP_ABI_MINOR, NP_LAYOUT_FINGERPRINT),
        (u32::MAX, NP_ABI_MINOR, NP_LAYOUT_FINGERPRINT),
    ] {
        let mut n = negotiation(NP_ABI_MAJOR, host_minor);
        let (status, library) = call_entry(&mut n);
        assert_eq!(status, NP_OK, "host minor {host_minor}");
        assert_eq!(n.abi_minor, agreed);
        assert_eq!(n.layout_fingerprint, fingerprint);
        assert_eq!(n.library_abi_major, NP_ABI_MAJOR);
        assert_eq!(n.library_abi_minor, NP_ABI_MINOR);
        assert!(std::ptr::eq(n.layout_report, nplug_abi::layout_report()));
        assert!(!library.is_null());
    }
}

#[test]
fn another_major_is_refused_but_told_our_version() {
    for major in [0, 2, 99] {
        let mut n = negotiation(major, 1);
        let (status, library) = call_entry(&mut n);
        assert_eq!(status, NP_ERR_VERSION);
        assert_eq!((n.library_abi_major, n.library_abi_minor), (NP_ABI_MAJOR, NP_ABI_MINOR));
        assert_eq!(n.abi_minor, 1, "nothing else written");
        assert_eq!(n.layout_fingerprint, 0);
        assert!(n.layout_report.is_null());
        assert!(library.is_null());
    }
}

#[test]
fn entry_rejects_null_and_short_structs_without_writing_past_them() {
    assert_eq!(unsafe { np_entry(std::ptr::null_mut(), &mut std::ptr::null()) }, NP_ERR_INVALID_ARGUMENT);
    let mut n = negotiation(NP_ABI_MAJOR, 1);
    assert_eq!(unsafe { np_entry(&mut n, std::ptr::null_mut()) }, NP_ERR_INVALID_ARGUMENT);

    // A struct_size of 12 covers only struct_size/abi_major/abi_minor: nothing may be written.
    let mut n = negotiation(NP_ABI_MAJOR, 1);
    n.struct_size = 12;
    let (status, _) = call_entry(&mut n);
    assert_eq!(status, NP_ERR_INVALID_ARGUMENT);
    assert_eq!((n.library_abi_major, n.library_abi_minor), (0, 0));
}

/// np_entry with a host error buffer (`np_negotiation_t.error`, ABI 1.2) of `capacity` bytes, filled with 0xAA and
/// with `len` 0 and `code` 77, so that any write shows. Returns the status, the error struct and the buffer.
fn entry_with_error(
    struct_size: u32,
    major: u32,
    out_library: bool,
    capacity: usize,
) -> (np_status, np_error_t, Vec<u8>) {
    let mut text = vec![0xAAu8; capacity];
    let mut error = np_error_t { message: text.as_mut_ptr(), capacity: capacity as u64, len: 0, code: 77, reserved: 0 };
    let mut n = negotiation(major, NP_ABI_MINOR);
    n.struct_size = struct_size;
    n.error = &mut error; // beyond struct_size when that is a 1.0/1.1 size: must not be read then
    let mut library: *const np_library_t = std::ptr::null();
    let out = if out_library { &mut library as *mut *const np_library_t } else { std::ptr::null_mut() };
    let status = unsafe { np_entry(&mut n, out) };
    (status, error, text)
}

fn written(error: &np_error_t, text: &[u8]) -> String {
    String::from_utf8(text[..error.len as usize].to_vec()).expect("the reason is UTF-8")
}

#[test]
fn negotiation_error_since_1_2_a_refusal_writes_its_reason_into_the_hosts_buffer() {
    let current = std::mem::size_of::<np_negotiation_t>() as u32;
    assert_eq!(current, NP_SIZEOF_np_negotiation_t_1_2);
    for major in [0, NP_ABI_MAJOR + 1, u32::MAX] {
        let (status, error, text) = entry_with_error(current, major, true, 256);
        assert_eq!(status, NP_ERR_VERSION);
        let expected =
            format!("{}: this library speaks ABI 1.{NP_ABI_MINOR}; the host speaks major {major}", crate::SDK);
        assert_eq!(written(&error, &text), expected);
        assert_eq!(error.code, 0);
        assert!(text[error.len as usize..].iter().all(|&b| b == 0xAA), "nothing written past the reason");
    }

    let (status, error, text) = entry_with_error(current, NP_ABI_MAJOR, false, 256);
    assert_eq!(status, NP_ERR_INVALID_ARGUMENT);
    assert_eq!(written(&error, &text), format!("{}: np_entry: out_library is NULL", crate::SDK));

    // A small buffer gets the reason truncated, never more than capacity.
    let (status, error, text) = entry_with_error(current, NP_ABI_MAJOR + 1, true, 12);
    assert_eq!(status, NP_ERR_VERSION);
    assert_eq!(written(&error, &text), &crate::SDK[..12]);
    assert!(text.iter().all(|&b| b != 0xAA));

    // A 1.2-size struct whose host gives no buffer: refused all the same.
    let mut n = negotiation(NP_ABI_MAJOR + 1, NP_ABI_MINOR);
    assert!(n.error.is_null());
    assert_eq!(call_entry(&mut n).0, NP_ERR_VERSION);
}

#[test]
fn negotiation_error_since_1_2_is_not_read_from_a_1_0_or_1_1_hosts_struct() {
    for size in [NP_SIZEOF_np_negotiation_t_1_0, NP_SIZEOF_np_negotiation_t_1_1, NP_SIZEOF_np_negotiation_t_1_2 - 1] {
        for (major, out_library, expected) in [
            (NP_ABI_MAJOR + 1, true, NP_ERR_VERSION),
            (0, true, NP_ERR_VERSION),
            (NP_ABI_MAJOR, false, NP_ERR_INVALID_ARGUMENT),
        ] {
            let (status, error, text) = entry_with_error(size, major, out_library, 256);
            assert_eq!(status, expected, "struct_size {size}, major {major}");
            assert_eq!((error.len, error.code), (0, 77), "struct_size {size}: the buffer beyond it was used");
            assert!(text.iter().all(|&b| b == 0xAA), "struct_size {size}: the buffer beyond it was written");
        }
    }
}

#[test]
fn negotiation_error_since_1_2_success_leaves_the_hosts_buffer_untouched() {
    for size in [NP_SIZEOF_np_negotiation_t_1_1, NP_SIZEOF_np_negotiation_t_1_2] {
        let (status, error, text) = entry_with_error(size, NP_ABI_MAJOR, true, 256);
        assert_eq!(status, NP_OK);
        assert_eq!((error.len, error.code), (0, 77));
        assert!(text.iter().all(|&b| b == 0xAA));
    }
}

#[test]
fn entry_returns_the_same_descriptors_every_time() {
    let mut n = negotiation(NP_ABI_MAJOR, 1);
    let (_, first) = call_entry(&mut n);
    let (_, second) = call_entry(&mut n);
    assert!(std::ptr::eq(first, second));
    let library = unsafe { &*first };
    assert_eq!(library.struct_size as usize, std::mem::size_of::<np_library_t>());
    assert_eq!(library.struct_size, NP_SIZEOF_np_library_t_1_2);
    assert_eq!(library.flags, 0, "no NP_LIBRARY_NO_UNLOAD: a Rust library may be unloaded");
    assert_eq!(library.plugin_count, 3);
    assert_eq!(unsafe { crate::str_from_np(library.sdk) }, Ok(concat!("nplug-rust/", env!("CARGO_PKG_VERSION"))));
    let echo = unsafe { &**library.plugins };
    assert_eq!(unsafe { crate::str_from_np(echo.id) }, Ok("org.nplug.test.echo"));
    assert_eq!(unsafe { crate::str_from_np(echo.description) }, Ok("echoes records"));
    assert_eq!(unsafe { crate::str_from_np(echo.vendor) }, Ok("tests"));
    assert_eq!(echo.struct_size, NP_SIZEOF_np_plugin_descriptor_t_1_2);
    assert!(echo.interface_layouts.is_null(), "no interface layouts given (yet)");
    assert_eq!(echo.threading, NP_THREADING_SINGLE);
    assert_eq!(echo.interface_count, 1);
    let interface = unsafe { &*echo.interfaces };
    assert_eq!(unsafe { crate::str_from_np(interface.id) }, Ok(NP_TRANSFORM_ID));
    let vtable = unsafe { &*(interface.vtable as *const np_transform_v1_t) };
    assert_eq!(vtable.struct_size as usize, std::mem::size_of::<np_transform_v1_t>());
    assert!(vtable.create.is_some() && vtable.destroy.is_some() && vtable.process.is_some());
    assert!(vtable.flush.is_some() && vtable.stats.is_some());
    let holder = unsafe { &**library.plugins.add(1) };
    assert_eq!(holder.threading, NP_THREADING_THREAD_SAFE);
}

// ---- init / deinit (rule P3) ----------------------------------------------------------------------------------

#[test]
fn s12_init_is_ref_counted_and_create_needs_it() {
    let _serial = serial();
    let library = load();
    let second = load();
    drop(library);
    // One init still outstanding: creating works.
    second.create("org.nplug.test.echo", "").unwrap();
    let vtable = second.transform("org.nplug.test.echo");
    drop(second);

    // No init left: create is refused with a clear message.
    let host = TestHost::new();
    let mut instance = std::ptr::null_mut();
    let mut error = ErrorBuffer::with_capacity(256);
    let status = unsafe { (vtable.create.unwrap())(host.table(), crate::np_str(""), &mut instance, error.raw()) };
    let err = error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_STATE);
    assert!(err.message.contains("not initialised"), "{}", err.message);
    assert!(instance.is_null());

    // deinit without init is harmless; init with a NULL host is refused with a message.
    let mut n = negotiation(NP_ABI_MAJOR, 1);
    let (_, lib) = call_entry(&mut n);
    let lib = unsafe { &*lib };
    unsafe { (lib.deinit.unwrap())() };
    let status = unsafe { (lib.init.unwrap())(std::ptr::null(), error.raw()) };
    let err = error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_INVALID_ARGUMENT);
    assert!(err.message.contains("NULL"), "{}", err.message);
    assert!(!crate::library::is_initialised());
}

// ---- create: config and argument checks (rule P6) -------------------------------------------------------------

#[test]
fn s9_config_errors_name_the_key() {
    let _serial = serial();
    let library = load();
    let err = library.create("org.nplug.test.echo", "prefix=a;colour=red").err().unwrap();
    assert_eq!(err.status, NP_ERR_CONFIG);
    assert!(err.message.contains("unknown config key 'colour'"), "{}", err.message);
}

#[test]
fn s8_invalid_utf8_config_and_bad_arguments_are_refused() {
    let _serial = serial();
    let library = load();
    let vtable = library.transform("org.nplug.test.echo");
    let create = vtable.create.unwrap();
    let mut error = ErrorBuffer::with_capacity(256);
    let mut instance = std::ptr::null_mut();

    let bad = b"prefix=\xFF";
    let config = np_str_t { ptr: bad.as_ptr(), len: bad.len() as u64 };
    let status = unsafe { create(library.host().table(), config, &mut instance, error.raw()) };
    let err = error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_CONFIG);
    assert!(err.message.contains("not valid UTF-8 (first bad byte at offset 7)"), "{}", err.message);

    let config = np_str_t { ptr: std::ptr::null(), len: 5 };
    let status = unsafe { create(library.host().table(), config, &mut instance, error.raw()) };
    assert_eq!(error.result(status).unwrap_err().status, NP_ERR_INVALID_ARGUMENT);

    let status = unsafe { create(std::ptr::null(), crate::np_str(""), &mut instance, error.raw()) };
    assert_eq!(error.result(status).unwrap_err().status, NP_ERR_INVALID_ARGUMENT);

    let mut short_host = *library.host().table();
    short_host.struct_size = 16;
    let status = unsafe { create(&short_host, crate::np_str(""), &mut instance, error.raw()) };
    let err = error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_INVALID_ARGUMENT);
    assert!(err.message.contains("struct_size is 16"), "{}", err.message);

    let status = unsafe { create(library.host().table(), crate::np_str(""), std::ptr::null_mut(), error.raw()) };
    assert_eq!(error.result(status).unwrap_err().status, NP_ERR_INVALID_ARGUMENT);

    // A NULL error buffer is allowed: just no message.
    let status = unsafe { create(library.host().table(), crate::np_str("x=1"), &mut instance, std::ptr::null_mut()) };
    assert_eq!(status, NP_ERR_CONFIG);
}

// ---- process / flush ------------------------------------------------------------------------------------------

#[test]
fn s6_records_flow_through_with_small_emitters_and_stats_are_kept() {
    let _serial = serial();
    let library = load();
    let mut echo = library.create("org.nplug.test.echo", "prefix=>> ").unwrap(); // values are trimmed
    let input: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
    let mut out = TestEmitter::with_capacity(3, 1).exact_growth();
    echo.process_into(&input, &mut out).unwrap();
    let expected: Vec<String> = input.iter().map(|l| format!(">>{l}")).collect();
    assert_eq!(out.strings(), expected);
    assert!(out.reserve_calls() > 50);
    echo.process(&[] as &[&str]).unwrap();
    assert_eq!(echo.process(&["", "x"]).unwrap(), vec![">>", ">>x"]);
    let stats = echo.stats().unwrap();
    assert_eq!(stats.records_in, 102);
    assert_eq!(stats.records_out, 102);
    assert_eq!(stats.bytes_in, input.iter().map(|l| l.len() as u64).sum::<u64>() + 1);
    assert_eq!(stats.bytes_out, stats.bytes_in + 2 * 102);
    assert!(library.host().logs().iter().any(|(_, m)| m == "echoed 100 records"), "{:?}", library.host().logs());
}

#[test]
fn s6_stats_fill_only_what_the_caller_knows() {
    let _serial = serial();
    let library = load();
    let mut echo = library.create("org.nplug.test.echo", "").unwrap();
    echo.process(&["abc"]).unwrap();
    let stats_fn = echo.vtable().stats.unwrap();
    let mut stats = np_transform_stats_t {
        struct_size: 24, // covers records_in and records_out only
        reserved: 0,
        records_in: 0,
        records_out: 0,
        bytes_in: 777,
        bytes_out: 777,
    };
    assert_eq!(unsafe { stats_fn(echo.raw(), &mut stats) }, NP_OK);
    assert_eq!((stats.records_in, stats.records_out, stats.bytes_in, stats.bytes_out), (1, 1, 777, 777));
    assert_eq!(unsafe { stats_fn(echo.raw(), std::ptr::null_mut()) }, NP_ERR_INVALID_ARGUMENT);
    assert_eq!(unsafe { stats_fn(std::ptr::null_mut(), &mut stats) }, NP_ERR_INVALID_ARGUMENT);
}

#[test]
fn input_errors_keep_the_instance_usable_and_what_was_emitted_stays() {
    let _serial = serial();
    let library = load();
    let mut echo = library.create("org.nplug.test.echo", "fail_on=bad").unwrap();
    let mut out = TestEmitter::new();
    let err = echo.process_into(&["a", "b", "bad", "c"], &mut out).unwrap_err();
    assert_eq!(err.status, NP_ERR_INPUT);
    assert_eq!(err.message, "record 2 is not welcome");
    assert_eq!(err.code, 42);
    assert_eq!(out.strings(), vec!["a", "b"]);
    assert_eq!(echo.process(&["d"]).unwrap(), vec!["d"]);
}

#[test]
fn failed_reserve_is_the_status_even_if_the_plugin_swallows_it() {
    let _serial = serial();
    let library = load();
    for config in ["", "ignore_emit_errors=true"] {
        let mut echo = library.create("org.nplug.test.echo", config).unwrap();
        // 4 bytes fit "ab" and "cd"; the first reserve (for "efgh") succeeds, the second (for "ij") fails.
        let mut out = TestEmitter::with_capacity(4, 4).exact_growth().fail_reserve_after(1);
        let err = echo.process_into(&["ab", "cd", "efgh", "ij", "k"], &mut out).unwrap_err();
        assert_eq!(err.status, NP_ERR_OUT_OF_MEMORY, "{config}");
        assert!(err.message.contains("reserve"), "{}", err.message);
        assert_eq!(out.reserve_calls(), 2, "{config}: no reserve after the failed one");
        assert_eq!(out.strings(), vec!["ab", "cd", "efgh"]);
    }
}

#[test]
fn s8_malformed_batches_and_emitters_are_invalid_arguments() {
    let _serial = serial();
    let library = load();
    let echo = library.create("org.nplug.test.echo", "").unwrap();
    let process = echo.vtable().process.unwrap();
    let mut error = ErrorBuffer::with_capacity(256);
    let mut out = TestEmitter::new();

    let status = unsafe { process(echo.raw(), std::ptr::null(), out.raw_mut(), error.raw()) };
    assert_eq!(error.result(status).unwrap_err().status, NP_ERR_INVALID_ARGUMENT);

    let data = b"abc";
    let offsets = [0u64, 2, 1];
    let batch = np_batch_t { data: data.as_ptr(), offsets: offsets.as_ptr(), count: 2 };
    let status = unsafe { process(echo.raw(), &batch, out.raw_mut(), error.raw()) };
    let err = error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_INVALID_ARGUMENT);
    assert!(err.message.contains("decrease"), "{}", err.message);

    let good = OwnedBatch::new(&["x"]);
    out.raw_mut().data_used = 5;
    let status = unsafe { process(echo.raw(), &good.raw(), out.raw_mut(), error.raw()) };
    let err = error.result(status).unwrap_err();
    assert!(err.message.contains("rule H5"), "{}", err.message);

    let status = unsafe { process(std::ptr::null_mut(), &good.raw(), std::ptr::null_mut(), error.raw()) };
    assert_eq!(error.result(status).unwrap_err().status, NP_ERR_INVALID_ARGUMENT);

    // Input inside the output buffer: refused before the plugin could overwrite what it reads.
    let mut out = TestEmitter::with_capacity(64, 4);
    let raw = out.raw_mut();
    let offsets = [0u64, 8];
    let aliased = np_batch_t { data: raw.data as *const u8, offsets: offsets.as_ptr(), count: 1 };
    let status = unsafe { process(echo.raw(), &aliased, raw, error.raw()) };
    let err = error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_INVALID_ARGUMENT);
    assert!(err.message.contains("overlap"), "{}", err.message);
}

#[test]
fn instances_of_another_plugin_are_refused() {
    let _serial = serial();
    let library = load();
    let holder = library.create("org.nplug.test.holder", "").unwrap();
    let echo_vtable = library.transform("org.nplug.test.echo");
    let mut error = ErrorBuffer::with_capacity(256);
    let mut out = TestEmitter::new();
    let status = unsafe { (echo_vtable.flush.unwrap())(holder.raw(), out.raw_mut(), error.raw()) };
    let err = error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_INVALID_ARGUMENT);
    assert!(err.message.contains("not created by org.nplug.test.echo"), "{}", err.message);
    // destroy through the wrong vtable must not free it (the TestInstance drop frees it correctly).
    unsafe { (echo_vtable.destroy.unwrap())(holder.raw()) };
    unsafe { (echo_vtable.destroy.unwrap())(std::ptr::null_mut()) };
}

#[test]
fn s4_flush_emits_what_is_held_back_and_resets() {
    let _serial = serial();
    let library = load();
    let mut holder = library.create("org.nplug.test.holder", "").unwrap();
    assert!(holder.process(&["a", "b"]).unwrap().is_empty());
    assert!(holder.process(&["c"]).unwrap().is_empty());
    assert_eq!(holder.flush().unwrap(), vec!["a", "b", "c"]);
    assert!(holder.flush().unwrap().is_empty(), "a second flush emits nothing");
    holder.process(&["d"]).unwrap();
    assert_eq!(holder.flush().unwrap(), vec!["d"], "process after flush starts a new stream");
    let stats = holder.stats().unwrap();
    assert_eq!((stats.records_in, stats.records_out), (4, 4));
}

// ---- panics (rule P7) -----------------------------------------------------------------------------------------

#[test]
fn s2_a_panic_in_process_is_contained_and_poisons_the_instance() {
    let _serial = serial();
    let library = load();
    let mut echo = library.create("org.nplug.test.echo", "panic_on=panic").unwrap();
    let mut out = TestEmitter::new();
    let err = echo.process_into(&["ok", "panic", "never"], &mut out).unwrap_err();
    assert_eq!(err.status, NP_ERR_PANIC);
    assert!(err.message.contains("org.nplug.test.echo panicked in process: boom on record 1"), "{}", err.message);
    assert!(err.message.contains("(at nplug-sdk/src/tests.rs:"), "the location is reported: {}", err.message);
    assert_eq!(out.strings(), vec!["ok"], "what was emitted before the panic stays");

    // Poisoned: every later call except destroy is NP_ERR_STATE, with the original panic in the message.
    let err = echo.process(&["fine"]).unwrap_err();
    assert_eq!(err.status, NP_ERR_STATE);
    assert!(err.message.contains("poisoned") && err.message.contains("boom on record 1"), "{}", err.message);
    assert!(err.message.contains("rule P7"), "{}", err.message);
    assert_eq!(echo.flush().unwrap_err().status, NP_ERR_STATE);
    assert_eq!(echo.stats().err(), Some(NP_ERR_STATE));

    // The host logger got the panic too.
    let logs = library.host().logs();
    assert!(logs.iter().any(|(l, m)| *l == crate::LogLevel::Error && m.contains("boom on record 1")), "{logs:?}");

    // The library keeps working: a fresh instance is fine.
    let mut fresh = library.create("org.nplug.test.echo", "panic_on=panic").unwrap();
    assert_eq!(fresh.process(&["again"]).unwrap(), vec!["again"]);
}

#[test]
fn a_panic_in_create_is_contained() {
    let _serial = serial();
    let library = load();
    let err = library.create("org.nplug.test.echo", "panic_in_create=1").err().unwrap();
    assert_eq!(err.status, NP_ERR_PANIC);
    assert!(err.message.contains("panicked in create: create exploded"), "{}", err.message);
}

#[test]
fn a_panic_in_drop_during_destroy_is_contained_and_logged() {
    let _serial = serial();
    let library = load();
    let holder = library.create("org.nplug.test.holder", "panic_in_drop=true").unwrap();
    drop(holder);
    let logs = library.host().logs();
    assert!(logs.iter().any(|(_, m)| m.contains("panicked in destroy: drop exploded")), "{logs:?}");
}

#[test]
fn panic_messages_are_truncated_at_a_character_boundary() {
    let _serial = serial();
    let library = load();
    let mut echo = library.create("org.nplug.test.echo", "panic_on=€").unwrap();
    let process = echo.vtable().process.unwrap();
    let batch = OwnedBatch::new(&["€"]);
    let mut out = TestEmitter::new();
    // Tiny buffers: the message is cut, stays valid UTF-8 (ErrorBuffer::result checks) and within capacity.
    for capacity in [1usize, 5, 19, 20, 21, 40] {
        let mut error = ErrorBuffer::with_capacity(capacity);
        let status = unsafe { process(echo.raw(), &batch.raw(), out.raw_mut(), error.raw()) };
        let err = error.result(status).unwrap_err();
        assert!(err.message.len() <= capacity);
        assert!(!err.message.is_empty());
    }
    assert_eq!(echo.process(&["x"]).unwrap_err().status, NP_ERR_STATE);
}

// ---- threading (rules H4, P9) ---------------------------------------------------------------------------------

/// Calls process through the raw vtable (the instance pointer crosses threads as an address).
fn raw_process(
    vtable: &np_transform_v1_t,
    instance: usize,
    records: &[&str],
) -> Result<Vec<String>, crate::testing::CallError> {
    let batch = OwnedBatch::new(records);
    let mut out = TestEmitter::new();
    let mut error = ErrorBuffer::with_capacity(256);
    let status =
        unsafe { (vtable.process.unwrap())(instance as *mut np_instance_t, &batch.raw(), out.raw_mut(), error.raw()) };
    error.result(status).map(|()| out.strings())
}

#[test]
fn s3_an_overlapping_call_on_a_single_threaded_instance_is_refused_not_raced() {
    let _serial = serial();
    let library = load();
    let gate = library.create("org.nplug.test.gate", "").unwrap();
    let vtable = gate.vtable();
    let instance = gate.raw() as usize;
    GATE_ENTERED.store(false, Ordering::SeqCst);
    GATE_OPEN.store(false, Ordering::SeqCst);
    std::thread::scope(|scope| {
        let first = scope.spawn(|| raw_process(vtable, instance, &["wait", "a"]));
        while !GATE_ENTERED.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        let err = raw_process(vtable, instance, &["b"]).unwrap_err();
        GATE_OPEN.store(true, Ordering::SeqCst);
        assert_eq!(err.status, NP_ERR_STATE);
        assert!(err.message.contains("rule H4"), "{}", err.message);
        assert_eq!(first.join().unwrap().unwrap(), vec!["wait", "a"]);
    });
    // Not poisoned: the refused call changed nothing.
    assert_eq!(raw_process(vtable, instance, &["c"]).unwrap(), vec!["c"]);
}

#[test]
fn concurrent_calls_on_a_thread_safe_instance_are_serialized() {
    let _serial = serial();
    let library = load();
    let mut holder = library.create("org.nplug.test.holder", "").unwrap();
    let vtable = holder.vtable();
    let instance = holder.raw() as usize;
    std::thread::scope(|scope| {
        for t in 0..4 {
            scope.spawn(move || {
                for i in 0..250 {
                    let record = format!("{t}-{i}");
                    raw_process(vtable, instance, &[record.as_str(), record.as_str()]).unwrap();
                }
            });
        }
    });
    let mut flushed = holder.flush().unwrap();
    assert_eq!(flushed.len(), 2000, "no record lost under concurrent calls");
    flushed.sort();
    flushed.dedup();
    assert_eq!(flushed.len(), 1000);
    let stats = holder.stats().unwrap();
    assert_eq!((stats.records_in, stats.records_out), (2000, 2000));
}

// ---- the shared vectors (interop/vectors/negotiation.tsv), which the C and C# SDKs run too --------------------------

#[test]
fn s10_negotiation_as_every_sdk_answers_it() {
    use crate::test_vectors::{number, read_vectors, status};
    use std::collections::HashMap;
    use std::mem::{offset_of, size_of};

    let symbols: HashMap<&str, i64> = HashMap::from([
        ("MIN", NP_MIN_SIZEOF_np_negotiation_t as i64),
        ("CUR", size_of::<np_negotiation_t>() as i64),
        ("LIB", NP_ABI_MINOR as i64),
        ("VEREND", (offset_of!(np_negotiation_t, library_abi_minor) + size_of::<u32>()) as i64),
    ]);
    const SENTINEL: u32 = 0xEEEE_EEEE;
    for v in read_vectors("negotiation.tsv") {
        assert_eq!(v.kind, "case", "{}", v.at());
        // A buffer larger than any struct_size of the file, as a newer host's struct would be.
        let mut buffer = vec![0u64; (size_of::<np_negotiation_t>() + 256) / 8];
        let mut error = ErrorBuffer::with_capacity(256);
        let n = buffer.as_mut_ptr().cast::<np_negotiation_t>();
        let in_minor = number(v.text(2), &symbols) as u32;
        unsafe {
            (*n).struct_size = number(v.text(0), &symbols) as u32;
            (*n).abi_major = number(v.text(1), &symbols) as u32;
            (*n).abi_minor = in_minor;
            (*n).library_abi_major = SENTINEL;
            (*n).library_abi_minor = SENTINEL;
            // ABI 1.2: a buffer for the reason, set even where struct_size ends before `error` (a 1.0/1.1 host's
            // struct): the library may use it only when struct_size covers it and it refuses.
            (*n).error = error.raw();
        }
        let sentinel_library = 0x1000 as *const np_library_t;
        let mut library = sentinel_library;
        let got = unsafe { np_entry(n, &mut library) };
        let n = unsafe { &*n };
        assert_eq!(got, status(v.text(3)), "{}", v.at());
        if v.text(4) == "-" {
            assert_eq!(n.abi_minor, in_minor, "{}: abi_minor changed on a refusal", v.at());
            assert_eq!(library, sentinel_library, "{}: out_library written on a refusal", v.at());
        } else {
            let agreed = number(v.text(4), &symbols) as u32;
            assert_eq!(n.abi_minor, agreed, "{}", v.at());
            let expected = [
                NP_LAYOUT_FINGERPRINT_1_0,
                NP_LAYOUT_FINGERPRINT_1_1,
                NP_LAYOUT_FINGERPRINT_1_2,
                NP_LAYOUT_FINGERPRINT_1_3,
            ];
            assert_eq!(n.layout_fingerprint, expected[agreed as usize], "{}", v.at());
            assert!(!n.layout_report.is_null(), "{}", v.at());
            assert!(library != sentinel_library && !library.is_null(), "{}", v.at());
        }
        let written = v.text(5) == "yes";
        let expect = if written { (NP_ABI_MAJOR, NP_ABI_MINOR) } else { (SENTINEL, SENTINEL) };
        assert_eq!((n.library_abi_major, n.library_abi_minor), expect, "{}", v.at());
        let size = n.struct_size as usize;
        let reason = error.result(got).err().map(|e| e.message).unwrap_or_default();
        if got != NP_OK && size >= offset_of!(np_negotiation_t, error) + size_of::<*mut np_error_t>() {
            assert!(!reason.is_empty(), "{}: a refusal with the 1.2 `error` field gave no reason", v.at());
        } else {
            assert!(reason.is_empty(), "{}: the reason {reason:?} written beyond struct_size", v.at());
        }
    }
}

// ---- guarantees of the spec's SDK table (interop/README.md, "What the SDKs guarantee") ----------------------------

/// Set in the child process of the S1 test to the scenario the child runs (see `s1_child`).
const S1_CHILD: &str = "NPLUG_SDK_TEST_S1_CHILD";

/// Runs this test binary again with only `s1_child`, in scenario `scenario`, and returns (stdout, stderr). The child's
/// output is not captured by libtest (`--nocapture`): a panic report of the default hook would be on its real stderr.
/// `forward` sets `NPLUG_RUST_PANIC_STDERR=1` (the SDK then also runs the previous hook, the default one).
fn run_s1_child(scenario: &str, forward: bool) -> (String, String) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = std::process::Command::new(exe);
    child.args(["--exact", "tests::s1_child", "--nocapture", "--test-threads=1"]).env(S1_CHILD, scenario);
    if forward {
        child.env("NPLUG_RUST_PANIC_STDERR", "1");
    } else {
        child.env_remove("NPLUG_RUST_PANIC_STDERR");
    }
    let output = child.output().expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "the child failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    assert!(stdout.contains("S1-CHILD done"), "the child test did not run:\n{stdout}");
    (stdout, stderr)
}

/// The child side of the S1 test: does nothing unless run by `run_s1_child` (so a plain `cargo test` passes it).
#[test]
fn s1_child() {
    let Ok(scenario) = std::env::var(S1_CHILD) else { return };
    match scenario.as_str() {
        "boundary" => {
            // A fresh process: nothing has installed the hook yet, np_entry does (before any plugin code runs).
            assert!(!crate::boundary::hook_installed(), "the hook is installed before np_entry");
            let mut n = negotiation(NP_ABI_MAJOR, NP_ABI_MINOR);
            assert_eq!(call_entry(&mut n).0, NP_OK);
            assert!(crate::boundary::hook_installed(), "np_entry installs the panic hook");

            let library = load();
            let mut echo = library.create("org.nplug.test.echo", "panic_on=panic").unwrap();
            let err = echo.process(&["ok", "panic"]).unwrap_err();
            println!("S1-CHILD status={} message={}", crate::status_name(err.status), err.message);
        }
        "outside" => {
            // A thread the plugin starts is outside the boundary even when started from inside it: its panic goes to
            // the previous hook (here std's default, which prints it), as it would without the SDK.
            let library = load();
            let joined =
                crate::boundary::catch(|| std::thread::spawn(|| panic!("S1 panic on the plugin's own thread")).join());
            assert!(joined.expect("the boundary call itself did not panic").is_err());
            drop(library);
        }
        other => panic!("unknown {S1_CHILD} scenario '{other}'"),
    }
    println!("S1-CHILD done");
}

#[test]
fn s1_a_caught_panic_prints_nothing_on_stderr_and_its_message_is_the_error() {
    let (stdout, stderr) = run_s1_child("boundary", false);
    assert!(
        stdout.contains(
            "S1-CHILD status=NP_ERR_PANIC message=org.nplug.test.echo panicked in process: boom on record 1 (at "
        ),
        "{stdout}"
    );
    assert!(!stderr.contains("boom on record") && !stderr.contains("panicked"), "the panic reached stderr:\n{stderr}");

    // The control: the same child with the previous hook forwarded does print it, so the check above can see a report.
    let (stdout, stderr) = run_s1_child("boundary", true);
    assert!(stdout.contains("S1-CHILD status=NP_ERR_PANIC"), "{stdout}");
    assert!(stderr.contains("panicked") && stderr.contains("boom on record 1"), "NPLUG_RUST_PANIC_STDERR=1:\n{stderr}");
}

#[test]
fn s1_panics_outside_the_boundary_still_reach_the_previous_hook() {
    let (_, stderr) = run_s1_child("outside", false);
    assert!(stderr.contains("S1 panic on the plugin's own thread"), "the default hook did not run:\n{stderr}");
}

#[test]
fn s4_flush_without_stream_is_a_no_op() {
    let _serial = serial();
    let library = load();
    let mut holder = library.create("org.nplug.test.holder", "").unwrap();
    let before = FLUSH_RUNS.load(Ordering::SeqCst);
    assert!(holder.flush().unwrap().is_empty(), "right after create");
    assert_eq!(FLUSH_RUNS.load(Ordering::SeqCst), before, "no plugin code ran");
    holder.process(&["a"]).unwrap();
    assert_eq!(holder.flush().unwrap(), vec!["a"]);
    assert_eq!(FLUSH_RUNS.load(Ordering::SeqCst), before + 1);
    assert!(holder.flush().unwrap().is_empty(), "a second flush in a row");
    assert_eq!(FLUSH_RUNS.load(Ordering::SeqCst), before + 1, "no plugin code ran");
}

#[test]
fn s5_a_failed_flush_still_ends_the_stream() {
    let _serial = serial();
    let library = load();
    let mut holder = library.create("org.nplug.test.holder", "fail_flush=true").unwrap();
    holder.process(&["a"]).unwrap();
    let before = FLUSH_RUNS.load(Ordering::SeqCst);
    let err = holder.flush().err().unwrap();
    assert_eq!(err.status, NP_ERR_PLUGIN);
    assert!(holder.flush().unwrap().is_empty(), "the stream is over");
    assert_eq!(FLUSH_RUNS.load(Ordering::SeqCst), before + 1, "the second flush ran no plugin code");
    holder.process(&["b"]).unwrap(); // a new stream, the instance usable
}

#[test]
fn input_errors_carry_the_record_index_plus_one() {
    assert_eq!(Error::input_at(3, "bad").code(), 4);
    assert_eq!(Error::input_at(3, "bad").status(), NP_ERR_INPUT);
    assert_eq!(Error::input_at(i32::MAX as u64 - 1, "bad").code(), i32::MAX);
    assert_eq!(Error::input_at(i32::MAX as u64, "too far to say").code(), 0);
}

#[test]
fn s7_a_failure_without_a_message_gets_one_and_success_leaves_the_buffer_untouched() {
    let _serial = serial();
    let library = load();
    let mut echo = library.create("org.nplug.test.echo", "").unwrap();
    // The test harness checks on every successful call that the error buffer stayed untouched (rule P5).
    assert_eq!(echo.process(&["a"]).unwrap(), vec!["a"]);
    let err = echo.process(&["fail silently"]).err().unwrap();
    assert_eq!(err.status, NP_ERR_PLUGIN);
    assert_eq!(err.message, "org.nplug.test.echo: process failed with NP_ERR_PLUGIN (the plugin gave no message)");
    assert_eq!(Error::new(5, "a positive status").status(), NP_ERR_PLUGIN, "never reported as success");
}
