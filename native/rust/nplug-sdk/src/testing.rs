//! In-process test doubles for plugin authors and for the SDK's own tests: a host table that records logs and
//! checks its allocator's use ([`TestHost`]), a host emitter with configurable (small, exact, failing, lying)
//! growth ([`TestEmitter`]), a caller's `np_out_bytes_t` that grows (moving) or is fixed ([`TestOutBytes`]), and a harness that loads a library through its `np_entry` and drives plugins through
//! the real C ABI ([`TestLibrary`], [`TestInstance`]). None of it is reachable from a plugin's exported symbols.

use std::alloc::Layout;
use std::collections::HashMap;
use std::ffi::c_void;
use std::mem::size_of;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use nplug_abi::{
    NP_ABI_MAJOR, NP_ABI_MINOR, NP_ERR_OUT_OF_MEMORY, NP_OK, NP_SIZEOF_np_out_bytes_t_1_2, NP_TRANSFORM_ID, np_batch_t,
    np_emitter_t, np_error_t, np_host_t, np_instance_t, np_interface_layout_t, np_library_t, np_negotiation_t,
    np_out_bytes_t, np_plugin_descriptor_t, np_status, np_str_t, np_transform_stats_t, np_transform_v1_t,
};

use crate::emitter::Emitter;
use crate::error::status_name;
use crate::host::{Host, LogLevel};
use crate::strings::{np_str, str_from_np};

/// Id of the one extension the test host offers: a `[u32; 2]` of `{ struct_size: 8, 0x5EED }`.
pub const TEST_EXTENSION_ID: &str = "np.host.test/1";

#[repr(C)]
struct HostInner {
    table: np_host_t,
    logs: Mutex<Vec<(i32, String)>>,
    allocations: Mutex<HashMap<usize, (u64, u64)>>,
    misuse: Mutex<Vec<String>>,
    fail_allocations: AtomicBool,
    extension: [u32; 2],
}

/// A host service table for tests: records log lines and checks that every allocation is freed once with the same
/// size and alignment (rule P4).
pub struct TestHost {
    inner: Box<HostInner>,
}

unsafe fn inner<'a>(host: *const np_host_t) -> &'a HostInner {
    unsafe { &*((*host).host_data as *const HostInner) }
}

unsafe extern "C" fn test_log(host: *const np_host_t, level: i32, message: np_str_t) {
    let inner = unsafe { inner(host) };
    let text = match unsafe { str_from_np(message) } {
        Ok(text) => text.to_string(),
        Err(e) => {
            inner.misuse.lock().unwrap().push(format!("log message is malformed: {e}"));
            return;
        }
    };
    inner.logs.lock().unwrap().push((level, text));
}

unsafe extern "C" fn test_alloc(host: *const np_host_t, size: u64, align: u64) -> *mut c_void {
    let inner = unsafe { inner(host) };
    if inner.fail_allocations.load(Ordering::Relaxed) {
        return std::ptr::null_mut();
    }
    let Ok(layout) = Layout::from_size_align(size.max(1) as usize, align as usize) else {
        inner.misuse.lock().unwrap().push(format!("alloc with a bad layout: size {size}, align {align}"));
        return std::ptr::null_mut();
    };
    let ptr = unsafe { std::alloc::alloc(layout) };
    if !ptr.is_null() {
        inner.allocations.lock().unwrap().insert(ptr as usize, (size, align));
    }
    ptr as *mut c_void
}

unsafe extern "C" fn test_free(host: *const np_host_t, ptr: *mut c_void, size: u64, align: u64) {
    if ptr.is_null() {
        return;
    }
    let inner = unsafe { inner(host) };
    match inner.allocations.lock().unwrap().remove(&(ptr as usize)) {
        Some((s, a)) if s == size && a == align => {
            let layout = Layout::from_size_align(size.max(1) as usize, align as usize).expect("checked at alloc");
            unsafe { std::alloc::dealloc(ptr as *mut u8, layout) };
        }
        Some((s, a)) => inner
            .misuse
            .lock()
            .unwrap()
            .push(format!("free of {ptr:?} with size {size}/align {align}, allocated with {s}/{a}")),
        None => inner.misuse.lock().unwrap().push(format!("free of {ptr:?}, which this host did not allocate")),
    }
}

unsafe extern "C" fn test_get_extension(host: *const np_host_t, id: np_str_t) -> *const c_void {
    let inner = unsafe { inner(host) };
    match unsafe { str_from_np(id) } {
        Ok(TEST_EXTENSION_ID) => inner.extension.as_ptr() as *const c_void,
        _ => std::ptr::null(),
    }
}

impl TestHost {
    /// A fresh host named "nplug-sdk-test-host", speaking this SDK's ABI minor.
    pub fn new() -> TestHost {
        let mut inner = Box::new(HostInner {
            table: np_host_t {
                struct_size: size_of::<np_host_t>() as u32,
                abi_minor: NP_ABI_MINOR,
                name: np_str("nplug-sdk-test-host"),
                version: np_str("0.1.0"),
                host_data: std::ptr::null_mut(),
                log: Some(test_log),
                alloc: Some(test_alloc),
                free: Some(test_free),
                get_extension: Some(test_get_extension),
            },
            logs: Mutex::new(Vec::new()),
            allocations: Mutex::new(HashMap::new()),
            misuse: Mutex::new(Vec::new()),
            fail_allocations: AtomicBool::new(false),
            extension: [8, 0x5EED],
        });
        inner.table.host_data = &*inner as *const HostInner as *mut c_void;
        TestHost { inner }
    }

    /// The raw table (valid while the TestHost lives).
    pub fn table(&self) -> &np_host_t {
        &self.inner.table
    }

    /// The table as the SDK's [`Host`].
    pub fn host(&self) -> Host {
        unsafe { Host::from_raw(&self.inner.table) }.expect("the test host table is complete")
    }

    /// Every log line so far, in order.
    pub fn logs(&self) -> Vec<(LogLevel, String)> {
        let level = |l: i32| match l {
            0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            _ => LogLevel::Error,
        };
        self.inner.logs.lock().unwrap().iter().map(|(l, m)| (level(*l), m.clone())).collect()
    }

    /// Allocations made through the table and not freed yet.
    pub fn live_allocations(&self) -> usize {
        self.inner.allocations.lock().unwrap().len()
    }

    /// Makes every later `alloc` fail (return NULL).
    pub fn fail_allocations(&self, fail: bool) {
        self.inner.fail_allocations.store(fail, Ordering::Relaxed);
    }

    /// Contract violations seen by the host (bad frees, malformed log strings).
    pub fn misuse(&self) -> Vec<String> {
        self.inner.misuse.lock().unwrap().clone()
    }
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

#[repr(C)]
struct EmitterInner {
    raw: np_emitter_t,
    data: Vec<u8>,
    offsets: Vec<u64>,
    exact_growth: bool,
    /// Successful reserves allowed before every reserve fails; None = never fail.
    fail_after: Option<usize>,
    lying: bool,
    reserve_calls: AtomicUsize,
}

/// A host-side emitter for tests. Every `reserve` MOVES both buffers (new allocations, old ones dropped), so a
/// plugin or SDK that keeps a stale pointer after `reserve` writes into freed memory, which the tests catch.
pub struct TestEmitter {
    inner: Box<EmitterInner>,
}

unsafe extern "C" fn test_reserve(e: *mut np_emitter_t, extra_bytes: u64, extra_records: u64) -> np_status {
    let inner = unsafe { &mut *((*e).host_data as *mut EmitterInner) };
    let calls = inner.reserve_calls.fetch_add(1, Ordering::Relaxed);
    if inner.fail_after.is_some_and(|n| calls >= n) {
        return NP_ERR_OUT_OF_MEMORY;
    }
    if inner.lying {
        return NP_OK;
    }
    let raw = &mut inner.raw;
    let need_data = raw.data_used + extra_bytes;
    let need_offsets = raw.count + 1 + extra_records;
    let (new_data, new_offsets) = if inner.exact_growth {
        (need_data.max(raw.data_capacity), need_offsets.max(raw.offsets_capacity))
    } else {
        (need_data.max(raw.data_capacity * 2), need_offsets.max(raw.offsets_capacity * 2))
    };
    let mut data = vec![0xCDu8; new_data as usize];
    data[..raw.data_used as usize].copy_from_slice(&inner.data[..raw.data_used as usize]);
    let mut offsets = vec![u64::MAX; new_offsets as usize];
    offsets[..=raw.count as usize].copy_from_slice(&inner.offsets[..=raw.count as usize]);
    // Poison the old buffers before dropping them, so a stale read shows up as garbage too.
    inner.data.iter_mut().for_each(|b| *b = 0xEE);
    inner.offsets.iter_mut().for_each(|o| *o = u64::MAX - 1);
    inner.data = data;
    inner.offsets = offsets;
    raw.data = inner.data.as_mut_ptr();
    raw.data_capacity = new_data;
    raw.offsets = inner.offsets.as_mut_ptr();
    raw.offsets_capacity = new_offsets;
    NP_OK
}

impl TestEmitter {
    /// An empty emitter with room for `data_capacity` bytes and `offsets_capacity` offsets (at least 1).
    pub fn with_capacity(data_capacity: usize, offsets_capacity: usize) -> TestEmitter {
        let offsets_capacity = offsets_capacity.max(1);
        let mut inner = Box::new(EmitterInner {
            raw: np_emitter_t {
                struct_size: size_of::<np_emitter_t>() as u32,
                reserved: 0,
                data: std::ptr::null_mut(),
                data_capacity: data_capacity as u64,
                data_used: 0,
                offsets: std::ptr::null_mut(),
                offsets_capacity: offsets_capacity as u64,
                count: 0,
                reserve: Some(test_reserve),
                host_data: std::ptr::null_mut(),
            },
            data: vec![0xCD; data_capacity],
            offsets: vec![u64::MAX; offsets_capacity],
            exact_growth: false,
            fail_after: None,
            lying: false,
            reserve_calls: AtomicUsize::new(0),
        });
        inner.offsets[0] = 0;
        inner.raw.data = inner.data.as_mut_ptr();
        inner.raw.offsets = inner.offsets.as_mut_ptr();
        inner.raw.host_data = &mut *inner as *mut EmitterInner as *mut c_void;
        TestEmitter { inner }
    }

    /// A roomy emitter (64 KiB, 1024 records) that still grows on demand.
    pub fn new() -> TestEmitter {
        Self::with_capacity(64 * 1024, 1024)
    }

    /// Grow by exactly what is asked (the worst case for a plugin: reserve on nearly every record).
    pub fn exact_growth(mut self) -> Self {
        self.inner.exact_growth = true;
        self
    }

    /// Let `n` reserves succeed, then fail every later one with `NP_ERR_OUT_OF_MEMORY`.
    pub fn fail_reserve_after(mut self, n: usize) -> Self {
        self.inner.fail_after = Some(n);
        self
    }

    /// A broken host: `reserve` returns `NP_OK` without growing anything.
    pub fn lying_reserve(mut self) -> Self {
        self.inner.lying = true;
        self
    }

    /// The SDK's view of this emitter, as a plugin gets it.
    pub fn emitter(&mut self) -> Emitter<'_> {
        unsafe { Emitter::from_raw(&mut self.inner.raw) }.expect("the test emitter keeps the invariants")
    }

    /// The raw struct, to hand to an `extern "C"` function or to break on purpose.
    pub fn raw_mut(&mut self) -> &mut np_emitter_t {
        &mut self.inner.raw
    }

    /// How often `reserve` was called.
    pub fn reserve_calls(&self) -> usize {
        self.inner.reserve_calls.load(Ordering::Relaxed)
    }

    /// The records written so far.
    pub fn records(&self) -> Vec<Vec<u8>> {
        let raw = &self.inner.raw;
        (0..raw.count as usize)
            .map(|i| self.inner.data[self.inner.offsets[i] as usize..self.inner.offsets[i + 1] as usize].to_vec())
            .collect()
    }

    /// The records as UTF-8 strings (lossy).
    pub fn strings(&self) -> Vec<String> {
        self.records().iter().map(|r| String::from_utf8_lossy(r).into_owned()).collect()
    }

    /// Empties the emitter (keeps its buffers), as a host does between calls.
    pub fn clear(&mut self) {
        let raw = &mut self.inner.raw;
        raw.count = 0;
        raw.data_used = 0;
        self.inner.offsets[0] = 0;
    }

    /// Asserts the emitter invariants (rule H5) and that the plugin only appended (offsets non-decreasing).
    pub fn check_invariants(&self) {
        let raw = &self.inner.raw;
        assert!(raw.offsets_capacity > raw.count, "offsets_capacity >= count + 1");
        assert_eq!(self.inner.offsets[0], 0, "offsets[0] == 0");
        assert_eq!(self.inner.offsets[raw.count as usize], raw.data_used, "offsets[count] == data_used");
        assert!(raw.data_used <= raw.data_capacity);
        for i in 0..raw.count as usize {
            assert!(self.inner.offsets[i] <= self.inner.offsets[i + 1], "offsets never decrease");
        }
    }
}

impl Default for TestEmitter {
    fn default() -> Self {
        Self::new()
    }
}

/// A failed call through the C ABI: its status and the message written into the error buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub status: np_status,
    pub message: String,
    pub code: i32,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", status_name(self.status), self.status, self.message)
    }
}

/// A 256-byte error buffer (the minimum rule H5 asks hosts for), or any other size.
pub struct ErrorBuffer {
    buf: Vec<u8>,
    raw: np_error_t,
}

impl ErrorBuffer {
    /// A buffer of `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        let mut buf = vec![0u8; capacity];
        let raw = np_error_t { message: buf.as_mut_ptr(), capacity: capacity as u64, len: 0, code: 0, reserved: 0 };
        ErrorBuffer { buf, raw }
    }

    /// The raw struct for a call.
    pub fn raw(&mut self) -> *mut np_error_t {
        self.raw.message = self.buf.as_mut_ptr();
        &mut self.raw
    }

    /// Turns a status into `Ok` or a [`CallError`] with the message written (checked: valid UTF-8, within capacity).
    pub fn result(&mut self, status: np_status) -> Result<(), CallError> {
        if status == NP_OK {
            assert_eq!(self.raw.len, 0, "a successful call must leave the error buffer untouched (rule P5)");
            return Ok(());
        }
        assert!(status < 0, "a status is NP_OK or negative, got {status}");
        assert!(self.raw.len <= self.raw.capacity, "message written past capacity (rule P5)");
        let message = std::str::from_utf8(&self.buf[..self.raw.len as usize])
            .expect("the error message must be UTF-8 (rule P5)")
            .to_string();
        let code = self.raw.code;
        self.raw.len = 0;
        self.raw.code = 0;
        Err(CallError { status, message, code })
    }
}

/// A library loaded in-process through its `np_entry`, negotiated and initialised, with a [`TestHost`].
pub struct TestLibrary {
    library: &'static np_library_t,
    host: TestHost,
    negotiation: np_negotiation_t,
}

/// The signature of `np_entry`.
pub type EntryFn = unsafe extern "C" fn(*mut np_negotiation_t, *mut *const np_library_t) -> np_status;

impl TestLibrary {
    /// Negotiates at this SDK's ABI version and calls `init`, as a host does. A refusal's message is the reason the
    /// library wrote into `np_negotiation_t.error` (ABI 1.2).
    pub fn load(entry: EntryFn) -> Result<TestLibrary, CallError> {
        let mut error = ErrorBuffer::with_capacity(256);
        let mut negotiation = negotiation(NP_ABI_MAJOR, NP_ABI_MINOR);
        negotiation.error = error.raw();
        let mut library: *const np_library_t = std::ptr::null();
        let status = unsafe { entry(&mut negotiation, &mut library) };
        negotiation.error = std::ptr::null_mut(); // valid during the call only
        error.result(status)?;
        let library = unsafe { &*library };
        let host = TestHost::new();
        let init = library.init.expect("init is never NULL");
        let status = unsafe { init(host.table(), error.raw()) };
        error.result(status)?;
        Ok(TestLibrary { library, host, negotiation })
    }

    /// The raw library descriptor.
    pub fn descriptor(&self) -> &'static np_library_t {
        self.library
    }

    /// The negotiation as the library answered it.
    pub fn negotiation(&self) -> &np_negotiation_t {
        &self.negotiation
    }

    /// The host the library was initialised with (its logs, its allocations).
    pub fn host(&self) -> &TestHost {
        &self.host
    }

    /// Ids of every plugin in the library.
    pub fn plugin_ids(&self) -> Vec<&'static str> {
        (0..self.library.plugin_count as usize)
            .map(|i| unsafe { str_from_np((**self.library.plugins.add(i)).id) }.expect("ids are UTF-8"))
            .collect()
    }

    /// The descriptor of plugin `id`.
    pub fn plugin(&self, id: &str) -> &'static np_plugin_descriptor_t {
        (0..self.library.plugin_count as usize)
            .map(|i| unsafe { &**self.library.plugins.add(i) })
            .find(|plugin| unsafe { str_from_np(plugin.id) } == Ok(id))
            .unwrap_or_else(|| panic!("no plugin '{id}' in this library"))
    }

    /// Ids of the interfaces plugin `id` lists, in its order.
    pub fn interface_ids(&self, id: &str) -> Vec<&'static str> {
        let plugin = self.plugin(id);
        (0..plugin.interface_count as usize)
            .map(|j| unsafe { str_from_np((*plugin.interfaces.add(j)).id) }.expect("interface ids are UTF-8"))
            .collect()
    }

    /// The vtable plugin `id` gives for `interface` and its entry of `interface_layouts` (`None` when the
    /// descriptor has no layouts). Panics when the plugin does not list the interface.
    pub fn interface(&self, id: &str, interface: &str) -> (*const c_void, Option<np_interface_layout_t>) {
        let plugin = self.plugin(id);
        for j in 0..plugin.interface_count as usize {
            let entry = unsafe { &*plugin.interfaces.add(j) };
            if unsafe { str_from_np(entry.id) } == Ok(interface) {
                let layout = (!plugin.interface_layouts.is_null()).then(|| unsafe { *plugin.interface_layouts.add(j) });
                return (entry.vtable, layout);
            }
        }
        panic!("plugin '{id}' does not list {interface}");
    }

    /// The np.transform/1 vtable of plugin `id`.
    pub fn transform(&self, id: &str) -> &'static np_transform_v1_t {
        let (vtable, _) = self.interface(id, NP_TRANSFORM_ID);
        unsafe { &*(vtable as *const np_transform_v1_t) }
    }

    /// Creates an instance of plugin `id` through the C ABI.
    pub fn create(&self, id: &str, config: &str) -> Result<TestInstance<'_>, CallError> {
        let vtable = self.transform(id);
        let mut instance: *mut np_instance_t = std::ptr::null_mut();
        let mut error = ErrorBuffer::with_capacity(256);
        let create = vtable.create.expect("create is never NULL");
        let status = unsafe { create(self.host.table(), np_str(config), &mut instance, error.raw()) };
        error.result(status)?;
        assert!(!instance.is_null(), "create returned NP_OK with a NULL instance");
        Ok(TestInstance { vtable, instance, error, _library: self })
    }
}

impl Drop for TestLibrary {
    fn drop(&mut self) {
        let deinit = self.library.deinit.expect("deinit is never NULL");
        unsafe { deinit() };
    }
}

/// A negotiation struct as a host of `major.minor` fills it.
pub fn negotiation(major: u32, minor: u32) -> np_negotiation_t {
    np_negotiation_t {
        struct_size: size_of::<np_negotiation_t>() as u32,
        abi_major: major,
        abi_minor: minor,
        library_abi_major: 0,
        library_abi_minor: 0,
        reserved: 0,
        layout_fingerprint: 0,
        layout_report: std::ptr::null(),
        error: std::ptr::null_mut(),
    }
}

/// A batch in the ABI layout built from records.
pub struct OwnedBatch {
    data: Vec<u8>,
    offsets: Vec<u64>,
}

impl OwnedBatch {
    /// Concatenates `records`.
    pub fn new<R: AsRef<[u8]>>(records: &[R]) -> OwnedBatch {
        let mut data = Vec::new();
        let mut offsets = vec![0u64];
        for r in records {
            data.extend_from_slice(r.as_ref());
            offsets.push(data.len() as u64);
        }
        OwnedBatch { data, offsets }
    }

    /// The raw batch (valid while self is).
    pub fn raw(&self) -> np_batch_t {
        np_batch_t { data: self.data.as_ptr(), offsets: self.offsets.as_ptr(), count: self.offsets.len() as u64 - 1 }
    }
}

/// A live instance, destroyed on drop.
pub struct TestInstance<'l> {
    vtable: &'static np_transform_v1_t,
    instance: *mut np_instance_t,
    error: ErrorBuffer,
    _library: &'l TestLibrary,
}

impl TestInstance<'_> {
    /// The raw instance pointer.
    pub fn raw(&self) -> *mut np_instance_t {
        self.instance
    }

    /// The vtable.
    pub fn vtable(&self) -> &'static np_transform_v1_t {
        self.vtable
    }

    /// Processes `records` into `out` through the C ABI.
    pub fn process_into<R: AsRef<[u8]>>(&mut self, records: &[R], out: &mut TestEmitter) -> Result<(), CallError> {
        let batch = OwnedBatch::new(records);
        let raw = batch.raw();
        let process = self.vtable.process.expect("process is never NULL");
        let status = unsafe { process(self.instance, &raw, out.raw_mut(), self.error.raw()) };
        out.check_invariants();
        self.error.result(status)
    }

    /// Processes `records` and returns the output records as strings.
    pub fn process<R: AsRef<[u8]>>(&mut self, records: &[R]) -> Result<Vec<String>, CallError> {
        let mut out = TestEmitter::with_capacity(16, 2);
        self.process_into(records, &mut out)?;
        Ok(out.strings())
    }

    /// Flushes into `out`.
    pub fn flush_into(&mut self, out: &mut TestEmitter) -> Result<(), CallError> {
        let flush = self.vtable.flush.expect("flush is never NULL");
        let status = unsafe { flush(self.instance, out.raw_mut(), self.error.raw()) };
        out.check_invariants();
        self.error.result(status)
    }

    /// Flushes and returns the output records as strings.
    pub fn flush(&mut self) -> Result<Vec<String>, CallError> {
        let mut out = TestEmitter::with_capacity(16, 2);
        self.flush_into(&mut out)?;
        Ok(out.strings())
    }

    /// The instance's counters (np.transform/1 `stats`, @since 1.1).
    pub fn stats(&self) -> Result<np_transform_stats_t, np_status> {
        let stats_fn = self.vtable.stats.expect("the Rust SDK always provides stats");
        let mut stats = np_transform_stats_t {
            struct_size: size_of::<np_transform_stats_t>() as u32,
            reserved: 0,
            records_in: 0,
            records_out: 0,
            bytes_in: 0,
            bytes_out: 0,
        };
        match unsafe { stats_fn(self.instance, &mut stats) } {
            NP_OK => Ok(stats),
            status => Err(status),
        }
    }
}

impl Drop for TestInstance<'_> {
    fn drop(&mut self) {
        let destroy = self.vtable.destroy.expect("destroy is never NULL");
        unsafe { destroy(self.instance) };
    }
}

#[repr(C)]
struct OutBytesInner {
    raw: np_out_bytes_t,
    buf: Vec<u8>,
    reserve_calls: usize,
    fail_reserve: bool,
}

/// A caller-owned `np_out_bytes_t` for tests: [`TestOutBytes::growable`] has a `reserve` that MOVES the buffer
/// (a new allocation, the old one overwritten and dropped, so a stale pointer shows up) and grows it exactly to
/// what was asked; [`TestOutBytes::fixed`] has `reserve` NULL.
pub struct TestOutBytes {
    inner: Box<OutBytesInner>,
}

unsafe extern "C" fn out_bytes_reserve(out: *mut np_out_bytes_t, additional: u64) -> np_status {
    // SAFETY: `raw` is the first field of the repr(C) OutBytesInner this callback was installed on.
    let inner = unsafe { &mut *(out as *mut OutBytesInner) };
    inner.reserve_calls += 1;
    if inner.fail_reserve {
        return NP_ERR_OUT_OF_MEMORY;
    }
    let len = inner.raw.len as usize;
    let mut moved = vec![0xCDu8; len + additional as usize];
    moved[..len].copy_from_slice(&inner.buf[..len]);
    inner.buf.iter_mut().for_each(|b| *b = 0xEE);
    inner.buf = moved;
    inner.raw.data = inner.buf.as_mut_ptr();
    inner.raw.capacity = inner.buf.len() as u64;
    NP_OK
}

impl TestOutBytes {
    /// A buffer of `capacity` bytes that grows through `reserve`.
    pub fn growable(capacity: usize) -> Self {
        Self::new(capacity, Some(out_bytes_reserve))
    }

    /// A buffer of `capacity` bytes that cannot grow (`reserve` is NULL).
    pub fn fixed(capacity: usize) -> Self {
        Self::new(capacity, None)
    }

    fn new(capacity: usize, reserve: Option<unsafe extern "C" fn(*mut np_out_bytes_t, u64) -> np_status>) -> Self {
        let mut inner = Box::new(OutBytesInner {
            raw: np_out_bytes_t {
                struct_size: NP_SIZEOF_np_out_bytes_t_1_2,
                reserved: 0,
                data: std::ptr::null_mut(),
                len: 0,
                capacity: capacity as u64,
                context: std::ptr::null_mut(),
                reserve,
            },
            buf: vec![0xCDu8; capacity],
            reserve_calls: 0,
            fail_reserve: false,
        });
        inner.raw.data = if capacity == 0 { std::ptr::null_mut() } else { inner.buf.as_mut_ptr() };
        TestOutBytes { inner }
    }

    /// Makes `reserve` fail with NP_ERR_OUT_OF_MEMORY.
    pub fn fail_reserve(&mut self) {
        self.inner.fail_reserve = true;
    }

    /// Starts with `bytes` already in the buffer (a caller appending to what it has).
    pub fn preset(&mut self, bytes: &[u8]) {
        let inner = &mut *self.inner;
        assert!(bytes.len() <= inner.buf.len(), "preset larger than the buffer");
        inner.buf[..bytes.len()].copy_from_slice(bytes);
        inner.raw.len = bytes.len() as u64;
    }

    /// The raw struct for a call (valid while self is).
    pub fn raw(&mut self) -> *mut np_out_bytes_t {
        &mut self.inner.raw
    }

    /// The bytes written so far (`data[0..len)`).
    pub fn bytes(&self) -> &[u8] {
        assert!(self.inner.raw.len <= self.inner.raw.capacity, "len above capacity");
        &self.inner.buf[..self.inner.raw.len as usize]
    }

    /// The bytes written so far, as UTF-8 text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(self.bytes()).expect("the output is UTF-8")
    }

    /// How many times `reserve` was called.
    pub fn reserve_calls(&self) -> usize {
        self.inner.reserve_calls
    }
}
