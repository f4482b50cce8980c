//! The library side of loading: the static descriptors `export_plugins!` builds, version negotiation in `np_entry`
//! (rule P1), and the ref-counted `init`/`deinit` (rule P3).

use std::fmt;
use std::mem::{offset_of, size_of};
use std::sync::atomic::{AtomicU32, Ordering};

use nplug_abi::{
    NP_ABI_MAJOR, NP_ABI_MINOR, NP_ERR_INVALID_ARGUMENT, NP_ERR_PANIC, NP_ERR_VERSION, NP_LAYOUT_FINGERPRINT_1_0,
    NP_LAYOUT_FINGERPRINT_1_1, NP_LAYOUT_FINGERPRINT_1_2, NP_LAYOUT_FINGERPRINT_1_3, NP_MIN_SIZEOF_np_negotiation_t,
    NP_OK, NP_SIZEOF_np_negotiation_t_1_1, NP_SIZEOF_np_negotiation_t_1_2, np_error_t, np_host_t,
    np_interface_layout_t, np_interface_t, np_library_t, np_negotiation_t, np_plugin_descriptor_t, np_status,
};

use crate::boundary;
use crate::error::{Error, truncate_utf8, write_error};
use crate::host::Host;
use crate::interface::Interface;
use crate::plugin::Plugin;
use crate::strings::np_str_static;

/// The SDK string every Rust library reports in `np_library_t.sdk`.
pub const SDK: &str = concat!("nplug-rust/", env!("CARGO_PKG_VERSION"));

/// Layout fingerprint of each minor of our major, index = minor (np_layout.g.h, via the generated bindings).
const FINGERPRINTS: [u64; 4] =
    [NP_LAYOUT_FINGERPRINT_1_0, NP_LAYOUT_FINGERPRINT_1_1, NP_LAYOUT_FINGERPRINT_1_2, NP_LAYOUT_FINGERPRINT_1_3];
// A new minor in the header must come with its fingerprint here; the build fails until it does.
const _: () = assert!(FINGERPRINTS.len() == NP_ABI_MINOR as usize + 1);

/// Number of `init` calls not yet matched by `deinit`, over every host that loaded this file (rule P3).
static INIT_COUNT: AtomicU32 = AtomicU32::new(0);

/// True between the first `init` and the last `deinit`.
pub fn is_initialised() -> bool {
    INIT_COUNT.load(Ordering::Acquire) > 0
}

/// A `const np_plugin_descriptor_t*` that may live in a static (descriptors are immutable static data).
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct DescriptorPtr(*const np_plugin_descriptor_t);
// SAFETY: points to immutable static data.
unsafe impl Sync for DescriptorPtr {}
unsafe impl Send for DescriptorPtr {}

impl DescriptorPtr {
    /// Wraps a descriptor of static data.
    pub const fn new(descriptor: &'static np_plugin_descriptor_t) -> Self {
        DescriptorPtr(descriptor)
    }
}

/// `P`'s `np_interface_t` for interface `I`, for `export_plugins!`.
pub const fn interface_entry<P: Plugin, I: Interface<P>>() -> np_interface_t {
    np_interface_t { id: np_str_static(I::ID), vtable: I::VTABLE_PTR }
}

/// `P`'s `np_interface_layout_t` for interface `I`, for `export_plugins!`.
pub const fn interface_layout<P: Plugin, I: Interface<P>>() -> np_interface_layout_t {
    I::LAYOUT
}

/// `P`'s plugin descriptor listing `interfaces`, with `layouts` parallel to them. When no interface gives a layout
/// (a library of transforms only: np.transform/1 is covered by the ABI's own fingerprint), `interface_layouts` is
/// NULL, as the header allows, and the descriptor is what it was before interfaces could have layouts.
pub const fn plugin_descriptor<P: Plugin>(
    interfaces: &'static [np_interface_t],
    layouts: &'static [np_interface_layout_t],
) -> np_plugin_descriptor_t {
    assert!(interfaces.len() == layouts.len(), "one np_interface_layout_t per interface");
    let mut any_layout = false;
    let mut i = 0;
    while i < layouts.len() {
        any_layout |= layouts[i].fingerprint != 0 || !layouts[i].report.is_null();
        i += 1;
    }
    np_plugin_descriptor_t {
        struct_size: size_of::<np_plugin_descriptor_t>() as u32,
        threading: P::INFO.threading.as_raw(),
        id: np_str_static(P::INFO.id),
        name: np_str_static(P::INFO.name),
        version: np_str_static(P::INFO.version),
        description: np_str_static(P::INFO.description),
        vendor: np_str_static(P::INFO.vendor),
        interfaces: interfaces.as_ptr(),
        interface_count: interfaces.len() as u64,
        interface_layouts: if any_layout { layouts.as_ptr() } else { std::ptr::null() },
    }
}

/// The library descriptor in a static.
#[repr(transparent)]
pub struct LibraryDescriptor(np_library_t);
// SAFETY: immutable static data; its pointers point to static data.
unsafe impl Sync for LibraryDescriptor {}

impl LibraryDescriptor {
    /// The descriptor of a library exporting `plugins`.
    pub const fn new(plugins: &'static [DescriptorPtr]) -> Self {
        LibraryDescriptor(np_library_t {
            struct_size: size_of::<np_library_t>() as u32,
            plugin_count: plugins.len() as u32,
            sdk: np_str_static(SDK),
            plugins: plugins.as_ptr() as *const *const np_plugin_descriptor_t,
            init: Some(library_init),
            deinit: Some(library_deinit),
            // @since 1.2: no NP_LIBRARY_NO_UNLOAD. A Rust cdylib can be unloaded: the SDK runs no code of its own
            // after deinit.
            flags: 0,
        })
    }

    /// The raw descriptor.
    pub fn as_raw(&'static self) -> &'static np_library_t {
        &self.0
    }
}

/// Bytes of np_negotiation_t a host must provide so that library_abi_major/minor can be written.
const NEGOTIATION_VERSION_END: usize = offset_of!(np_negotiation_t, library_abi_minor) + size_of::<u32>();
/// Everything we write afterwards exists since ABI 1.0.
const NEGOTIATION_MIN_SIZE: usize = NP_MIN_SIZEOF_np_negotiation_t as usize;
/// Bytes of np_negotiation_t a host must provide so that its `error` buffer (@since 1.2) may be used: a 1.0/1.1
/// host's struct ends before it, and whatever lies there is not ours to read.
const NEGOTIATION_ERROR_END: usize = offset_of!(np_negotiation_t, error) + size_of::<*mut np_error_t>();
const _: () = assert!(NEGOTIATION_ERROR_END == NP_SIZEOF_np_negotiation_t_1_2 as usize);
const _: () = assert!(NEGOTIATION_ERROR_END > NP_SIZEOF_np_negotiation_t_1_1 as usize);

/// The body of `np_entry` (rule P1). Does not call the host, allocate or start anything (rule P3). The first call
/// installs the SDK's panic hook (S1: panics inside the boundary print nothing), which allocates nothing either.
///
/// # Safety
/// `negotiation` and `out_library` are NULL or valid for the call (np_entry.h).
pub unsafe fn entry(
    negotiation: *mut np_negotiation_t,
    out_library: *mut *const np_library_t,
    library: &'static LibraryDescriptor,
) -> np_status {
    boundary::catch_leaf(|| {
        boundary::install_hook();
        unsafe { negotiate(negotiation, out_library, library) }
    })
    .unwrap_or(NP_ERR_PANIC)
}

/// Every access goes through the raw pointer, one field at a time, and only to fields the host's `struct_size`
/// covers: a 1.0/1.1 host's struct is shorter than this crate's `np_negotiation_t`, so no reference to the whole
/// struct is ever made.
unsafe fn negotiate(
    n: *mut np_negotiation_t,
    out_library: *mut *const np_library_t,
    library: &'static LibraryDescriptor,
) -> np_status {
    if n.is_null() {
        return NP_ERR_INVALID_ARGUMENT;
    }
    let size = unsafe { (*n).struct_size } as usize;
    // Always tell the host what we are, so a refusal can be explained, but never write past its struct_size.
    if size >= NEGOTIATION_VERSION_END {
        unsafe {
            (*n).library_abi_major = NP_ABI_MAJOR;
            (*n).library_abi_minor = NP_ABI_MINOR;
        }
    }
    if size < NEGOTIATION_MIN_SIZE {
        return NP_ERR_INVALID_ARGUMENT;
    }
    let host_major = unsafe { (*n).abi_major };
    if host_major != NP_ABI_MAJOR {
        return unsafe {
            refuse(
                n,
                NP_ERR_VERSION,
                format_args!(
                    "{SDK}: this library speaks ABI {NP_ABI_MAJOR}.{NP_ABI_MINOR}; the host speaks major {host_major}"
                ),
            )
        };
    }
    if out_library.is_null() {
        return unsafe { refuse(n, NP_ERR_INVALID_ARGUMENT, format_args!("{SDK}: np_entry: out_library is NULL")) };
    }
    let agreed = unsafe { (*n).abi_minor }.min(NP_ABI_MINOR);
    unsafe {
        (*n).abi_minor = agreed;
        (*n).layout_fingerprint = FINGERPRINTS[agreed as usize];
        (*n).layout_report = nplug_abi::layout_report();
        *out_library = library.as_raw();
    }
    NP_OK
}

/// Returns `status`, having written `reason` into the host's error buffer (`np_negotiation_t.error`, ABI 1.2) when
/// its struct_size covers that field and the pointer is not NULL. Formats on the stack: np_entry allocates nothing.
///
/// # Safety
/// `n` is valid for its `struct_size` bytes; `error`, when covered and not NULL, points to a valid `np_error_t`.
unsafe fn refuse(n: *mut np_negotiation_t, status: np_status, reason: fmt::Arguments<'_>) -> np_status {
    if unsafe { (*n).struct_size } as usize >= NEGOTIATION_ERROR_END {
        let error = unsafe { (*n).error };
        let mut text = ReasonText { buf: [0; 256], len: 0 };
        let _ = fmt::write(&mut text, reason); // a reason longer than the buffer is truncated
        unsafe { write_error(error, status, text.as_str(), 0) };
    }
    status
}

/// A fixed-size text buffer that keeps what fits, cut at a character boundary.
struct ReasonText {
    buf: [u8; 256],
    len: usize,
}

impl ReasonText {
    fn as_str(&self) -> &str {
        // Only whole characters are ever appended (write_str), so this never fails.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for ReasonText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let part = truncate_utf8(s, self.buf.len() - self.len);
        self.buf[self.len..self.len + part.len()].copy_from_slice(part.as_bytes());
        self.len += part.len();
        if part.len() == s.len() { Ok(()) } else { Err(fmt::Error) }
    }
}

/// `np_library_t.init`: validates the host table and counts the reference.
unsafe extern "C" fn library_init(host: *const np_host_t, error: *mut np_error_t) -> np_status {
    let outcome = boundary::catch(|| -> Result<(), Error> {
        let host = unsafe { Host::from_raw(host) }?;
        let previous = INIT_COUNT.fetch_add(1, Ordering::AcqRel);
        if previous == 0 {
            crate::log_debug!(host, "{SDK}: library initialised");
        }
        Ok(())
    });
    let err = match outcome {
        Ok(Ok(())) => return NP_OK,
        Ok(Err(err)) => err,
        Err(panic) => Error::new(NP_ERR_PANIC, format!("init panicked (inside the SDK): {panic}")),
    };
    unsafe { err.write_to(error) };
    err.status()
}

/// `np_library_t.deinit`: undoes one `init`. A deinit without a matching init is ignored.
unsafe extern "C" fn library_deinit() {
    let _ = boundary::catch(|| {
        let _ = INIT_COUNT.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    });
}
