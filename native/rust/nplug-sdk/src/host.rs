//! Safe access to the host service table `np_host_t`: logging, the host allocator, host extensions.

use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::mem::{MaybeUninit, align_of, size_of};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use nplug_abi::{
    NP_LOG_DEBUG, NP_LOG_ERROR, NP_LOG_INFO, NP_LOG_TRACE, NP_LOG_WARN, NP_SIZEOF_np_host_t_1_0, np_host_t,
};

use crate::error::{Error, Result};
use crate::strings::{np_str, str_from_np};

/// A host table must be at least as long as the ABI 1.0 table (later fields are read only when covered).
const HOST_MIN_SIZE: usize = NP_SIZEOF_np_host_t_1_0 as usize;

/// Largest alignment `np_host_t.alloc` accepts (np_host.h).
pub const HOST_MAX_ALIGN: usize = 4096;

/// Log levels of `np_host_t.log`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum LogLevel {
    Trace = NP_LOG_TRACE,
    Debug = NP_LOG_DEBUG,
    Info = NP_LOG_INFO,
    Warn = NP_LOG_WARN,
    Error = NP_LOG_ERROR,
}

/// The host's service table, as handed to `init` or to an instance's `create`.
///
/// Copyable so a plugin can keep it in its state: the table an instance got at `create` is valid until `destroy`
/// returns (rule H7), which covers the plugin's own `Drop`. Do not keep it anywhere that outlives the instance
/// (a global, a detached thread). Every function of the table is thread-safe (H7), so `Host` is `Send + Sync`.
#[derive(Clone, Copy)]
pub struct Host {
    raw: NonNull<np_host_t>,
}

// SAFETY: np_host_t's functions are [thread-safe] and the table is immutable while it is valid (rule H7).
unsafe impl Send for Host {}
unsafe impl Sync for Host {}

impl Host {
    /// Checks a host table handed over by the host: non-NULL, long enough, no NULL function.
    ///
    /// # Safety
    /// `raw` is NULL or points to readable memory of at least `struct_size` bytes that stays valid while the
    /// returned `Host` is used.
    pub unsafe fn from_raw(raw: *const np_host_t) -> Result<Host> {
        let Some(raw) = NonNull::new(raw as *mut np_host_t) else {
            return Err(Error::invalid_argument("the host table (np_host_t*) is NULL"));
        };
        // SAFETY: non-NULL; we read struct_size first and the rest only once it is known to be covered.
        let size = unsafe { (*raw.as_ptr()).struct_size } as usize;
        if size < HOST_MIN_SIZE {
            return Err(Error::invalid_argument(format!(
                "np_host_t.struct_size is {size}, smaller than the {HOST_MIN_SIZE} bytes of the ABI 1.0 table"
            )));
        }
        let table = unsafe { &*raw.as_ptr() };
        let missing = [
            ("log", table.log.is_none()),
            ("alloc", table.alloc.is_none()),
            ("free", table.free.is_none()),
            ("get_extension", table.get_extension.is_none()),
        ];
        if let Some((name, _)) = missing.iter().find(|(_, is_null)| *is_null) {
            return Err(Error::invalid_argument(format!("np_host_t.{name} is NULL")));
        }
        Ok(Host { raw })
    }

    /// The raw table, for calls the SDK does not wrap.
    pub fn as_ptr(&self) -> *const np_host_t {
        self.raw.as_ptr()
    }

    fn table(&self) -> &np_host_t {
        // SAFETY: validated in from_raw, valid while self is (type invariant).
        unsafe { self.raw.as_ref() }
    }

    /// The ABI minor the host speaks.
    pub fn abi_minor(&self) -> u32 {
        self.table().abi_minor
    }

    /// The host's name, `None` if it is not valid UTF-8.
    pub fn name(&self) -> Option<&str> {
        // SAFETY: owned by the host, valid while the table is.
        unsafe { str_from_np(self.table().name).ok() }
    }

    /// The host's version, `None` if it is not valid UTF-8.
    pub fn version(&self) -> Option<&str> {
        unsafe { str_from_np(self.table().version).ok() }
    }

    /// The host's opaque context pointer.
    pub fn host_data(&self) -> *mut c_void {
        self.table().host_data
    }

    /// Writes one log line through the host's logger.
    pub fn log(&self, level: LogLevel, message: &str) {
        let log = self.table().log.expect("validated in from_raw");
        // SAFETY: [thread-safe]; message is borrowed for the call only.
        unsafe { log(self.as_ptr(), level as i32, np_str(message)) }
    }

    /// Formats and logs (what the `log_*!` macros call). Does not allocate when the message has no arguments.
    pub fn log_fmt(&self, level: LogLevel, args: fmt::Arguments<'_>) {
        match args.as_str() {
            Some(text) => self.log(level, text),
            None => self.log(level, &fmt::format(args)),
        }
    }

    /// Raw host allocation: `size` bytes aligned to `align`. Prefer [`HostBuffer`] and [`HostBox`], which free
    /// through the same host automatically.
    pub fn alloc_raw(&self, size: usize, align: usize) -> Result<NonNull<u8>> {
        if !align.is_power_of_two() || align > HOST_MAX_ALIGN {
            return Err(Error::invalid_argument(format!(
                "host allocation alignment {align} is not a power of two up to {HOST_MAX_ALIGN}"
            )));
        }
        let alloc = self.table().alloc.expect("validated in from_raw");
        // SAFETY: [thread-safe]; arguments within the documented range.
        let ptr = unsafe { alloc(self.as_ptr(), size as u64, align as u64) } as *mut u8;
        let ptr = NonNull::new(ptr)
            .ok_or_else(|| Error::out_of_memory(format!("the host could not allocate {size} bytes (align {align})")))?;
        if (ptr.as_ptr() as usize) % align != 0 {
            // Never use misaligned memory; hand it back.
            unsafe { self.free_raw(ptr, size, align) };
            return Err(Error::plugin(format!("the host returned memory not aligned to {align} bytes")));
        }
        Ok(ptr)
    }

    /// Frees memory from [`Host::alloc_raw`] of this same host.
    ///
    /// # Safety
    /// `ptr`, `size` and `align` are exactly those of one earlier `alloc_raw` on this host, not yet freed.
    pub unsafe fn free_raw(&self, ptr: NonNull<u8>, size: usize, align: usize) {
        let free = self.table().free.expect("validated in from_raw");
        unsafe { free(self.as_ptr(), ptr.as_ptr() as *mut c_void, size as u64, align as u64) }
    }

    /// Looks up a host extension by id (`"np.host.<name>/<revision>"`).
    pub fn extension(&self, id: &str) -> Option<Extension<'_>> {
        let get = self.table().get_extension.expect("validated in from_raw");
        // SAFETY: [thread-safe]; id borrowed for the call.
        let ptr = unsafe { get(self.as_ptr(), np_str(id)) };
        NonNull::new(ptr as *mut u32).map(|ptr| Extension { ptr, _host: PhantomData })
    }
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Host")
            .field("name", &self.name())
            .field("version", &self.version())
            .field("abi_minor", &self.abi_minor())
            .finish()
    }
}

/// A host extension: a struct that starts with `uint32_t struct_size`, valid while the host table is.
#[derive(Clone, Copy, Debug)]
pub struct Extension<'h> {
    ptr: NonNull<u32>,
    _host: PhantomData<&'h Host>,
}

impl<'h> Extension<'h> {
    /// The extension struct's `struct_size`.
    pub fn struct_size(&self) -> u32 {
        // SAFETY: get_extension returns a struct starting with uint32_t struct_size.
        unsafe { *self.ptr.as_ptr() }
    }

    /// The raw pointer.
    pub fn as_ptr(&self) -> *const c_void {
        self.ptr.as_ptr() as *const c_void
    }

    /// Views the extension as its (generated) struct type.
    ///
    /// # Safety
    /// `T` is the `#[repr(C)]` struct the extension id stands for; read only fields covered by `struct_size`.
    pub unsafe fn as_ref<T>(&self) -> &'h T {
        unsafe { &*(self.ptr.as_ptr() as *const T) }
    }
}

/// Writes a log line through a [`Host`] at the given level: `nplug_sdk::log!(host, LogLevel::Info, "x = {}", x)`.
#[macro_export]
macro_rules! log {
    ($host:expr, $level:expr, $($arg:tt)+) => {
        $crate::Host::log_fmt(&$host, $level, ::std::format_args!($($arg)+))
    };
}
/// `log_trace!(host, "...")`: a trace line through the host logger.
#[macro_export]
macro_rules! log_trace { ($host:expr, $($arg:tt)+) => { $crate::log!($host, $crate::LogLevel::Trace, $($arg)+) }; }
/// `log_debug!(host, "...")`: a debug line through the host logger.
#[macro_export]
macro_rules! log_debug { ($host:expr, $($arg:tt)+) => { $crate::log!($host, $crate::LogLevel::Debug, $($arg)+) }; }
/// `log_info!(host, "...")`: an info line through the host logger.
#[macro_export]
macro_rules! log_info { ($host:expr, $($arg:tt)+) => { $crate::log!($host, $crate::LogLevel::Info, $($arg)+) }; }
/// `log_warn!(host, "...")`: a warning through the host logger.
#[macro_export]
macro_rules! log_warn { ($host:expr, $($arg:tt)+) => { $crate::log!($host, $crate::LogLevel::Warn, $($arg)+) }; }
/// `log_error!(host, "...")`: an error line through the host logger.
#[macro_export]
macro_rules! log_error { ($host:expr, $($arg:tt)+) => { $crate::log!($host, $crate::LogLevel::Error, $($arg)+) }; }

/// A zero-initialised byte buffer allocated by the host allocator and freed through the same host on drop
/// (rule P4: nothing is freed across allocators).
pub struct HostBuffer {
    host: Host,
    ptr: NonNull<u8>,
    len: usize,
    align: usize,
}

// SAFETY: owns its memory; the host's free is thread-safe.
unsafe impl Send for HostBuffer {}
unsafe impl Sync for HostBuffer {}

impl HostBuffer {
    /// Allocates `len` zeroed bytes aligned to `align`. A zero-length buffer does not call the host.
    pub fn zeroed(host: &Host, len: usize, align: usize) -> Result<HostBuffer> {
        if len == 0 {
            if !align.is_power_of_two() || align > HOST_MAX_ALIGN {
                return Err(Error::invalid_argument(format!("alignment {align} is not a power of two up to 4096")));
            }
            // A dangling, aligned pointer: never dereferenced for a length of 0, never freed.
            let ptr = NonNull::new(align as *mut u8).expect("align is non-zero");
            return Ok(HostBuffer { host: *host, ptr, len, align });
        }
        let ptr = host.alloc_raw(len, align)?;
        // SAFETY: fresh allocation of len bytes.
        unsafe { ptr.as_ptr().write_bytes(0, len) };
        Ok(HostBuffer { host: *host, ptr, len, align })
    }

    /// A host-allocated copy of `bytes`.
    pub fn copy_from(host: &Host, bytes: &[u8]) -> Result<HostBuffer> {
        let mut buffer = HostBuffer::zeroed(host, bytes.len(), 1)?;
        buffer.copy_from_slice(bytes);
        Ok(buffer)
    }

    /// The alignment it was allocated with.
    pub fn align(&self) -> usize {
        self.align
    }
}

impl Deref for HostBuffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: len initialised bytes (zeroed at allocation).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for HostBuffer {
    fn deref_mut(&mut self) -> &mut [u8] {
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for HostBuffer {
    fn drop(&mut self) {
        if self.len != 0 {
            // SAFETY: allocated by this host with exactly this size and alignment.
            unsafe { self.host.free_raw(self.ptr, self.len, self.align) }
        }
    }
}

impl fmt::Debug for HostBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostBuffer").field("len", &self.len).field("align", &self.align).finish()
    }
}

/// A value of type `T` stored in memory from the host allocator, dropped and freed through the same host.
pub struct HostBox<T> {
    host: Host,
    ptr: NonNull<T>,
}

// SAFETY: HostBox<T> owns a T exactly like Box<T>.
unsafe impl<T: Send> Send for HostBox<T> {}
unsafe impl<T: Sync> Sync for HostBox<T> {}

impl<T> HostBox<T> {
    /// Moves `value` into host memory. Fails (dropping `value`) when the host cannot allocate, or when `T` needs an
    /// alignment above 4096.
    pub fn new(host: &Host, value: T) -> Result<HostBox<T>> {
        let ptr = if size_of::<T>() == 0 {
            NonNull::dangling()
        } else {
            host.alloc_raw(size_of::<T>(), align_of::<T>())?.cast::<T>()
        };
        // SAFETY: ptr is valid for a T (or T is zero-sized and ptr is dangling but aligned).
        unsafe { ptr.as_ptr().cast::<MaybeUninit<T>>().write(MaybeUninit::new(value)) };
        Ok(HostBox { host: *host, ptr })
    }
}

impl<T> Deref for HostBox<T> {
    type Target = T;
    fn deref(&self) -> &T {
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for HostBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        unsafe { self.ptr.as_mut() }
    }
}

impl<T> Drop for HostBox<T> {
    fn drop(&mut self) {
        // Free even if T's destructor panics.
        struct FreeOnDrop<'a, T>(&'a HostBox<T>);
        impl<T> Drop for FreeOnDrop<'_, T> {
            fn drop(&mut self) {
                if size_of::<T>() != 0 {
                    unsafe { self.0.host.free_raw(self.0.ptr.cast(), size_of::<T>(), align_of::<T>()) }
                }
            }
        }
        let _free = FreeOnDrop(self);
        unsafe { std::ptr::drop_in_place(self.ptr.as_ptr()) };
    }
}

impl<T: fmt::Debug> fmt::Debug for HostBox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestHost;
    use nplug_abi::NP_ERR_INVALID_ARGUMENT;

    #[test]
    fn rejects_null_short_and_incomplete_tables() {
        let err = unsafe { Host::from_raw(std::ptr::null()) }.unwrap_err();
        assert_eq!(err.status(), NP_ERR_INVALID_ARGUMENT);

        let host = TestHost::new();
        let mut table = *host.table();
        table.struct_size = 8;
        let err = unsafe { Host::from_raw(&table) }.unwrap_err();
        assert!(err.message().contains("struct_size is 8"), "{}", err.message());

        let mut table = *host.table();
        table.free = None;
        let err = unsafe { Host::from_raw(&table) }.unwrap_err();
        assert!(err.message().contains("np_host_t.free is NULL"), "{}", err.message());
    }

    #[test]
    fn logs_reach_the_host_logger() {
        let test = TestHost::new();
        let host = test.host();
        crate::log_info!(host, "hello {}", 42);
        crate::log_warn!(host, "plain");
        assert_eq!(test.logs(), vec![(LogLevel::Info, "hello 42".to_string()), (LogLevel::Warn, "plain".to_string())]);
        assert_eq!(host.name(), Some("nplug-sdk-test-host"));
    }

    #[test]
    fn host_memory_is_freed_through_the_same_host() {
        let test = TestHost::new();
        let host = test.host();
        {
            let mut buffer = HostBuffer::zeroed(&host, 100, 64).unwrap();
            assert!(buffer.iter().all(|&b| b == 0));
            assert_eq!(buffer.as_ptr() as usize % 64, 0);
            buffer[99] = 1;
            let boxed = HostBox::new(&host, vec![1u32, 2, 3]).unwrap();
            assert_eq!(boxed.len(), 3);
            let copy = HostBuffer::copy_from(&host, b"abc").unwrap();
            assert_eq!(&*copy, b"abc");
            assert_eq!(test.live_allocations(), 3);
            let empty = HostBuffer::zeroed(&host, 0, 8).unwrap();
            assert!(empty.is_empty());
            assert_eq!(test.live_allocations(), 3, "a zero-length buffer does not allocate");
        }
        assert_eq!(test.live_allocations(), 0, "everything freed, with matching size and align (checked by TestHost)");
        assert!(HostBuffer::zeroed(&host, 8, 3).is_err());
        assert!(HostBuffer::zeroed(&host, 8, 8192).is_err());
    }

    #[test]
    fn failed_host_allocation_is_out_of_memory() {
        let test = TestHost::new();
        test.fail_allocations(true);
        let err = HostBuffer::zeroed(&test.host(), 10, 8).unwrap_err();
        assert_eq!(err.status(), nplug_abi::NP_ERR_OUT_OF_MEMORY);
    }

    #[test]
    fn extensions_by_id() {
        let test = TestHost::new();
        let host = test.host();
        assert!(host.extension("np.host.nothing/1").is_none());
        let ext = host.extension(crate::testing::TEST_EXTENSION_ID).expect("the test host offers one");
        assert_eq!(ext.struct_size(), 8);
        let value: &[u32; 2] = unsafe { ext.as_ref() };
        assert_eq!(value[1], 0x5EED);
    }
}
