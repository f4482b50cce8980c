//! The C boundary, for the glue of every interface (`np.transform/1`'s and what `nplug bindgen` generates): the
//! helpers each exported `extern "C"` function is made of, public so that generated code and a hand-written
//! function use the same ones.
//!
//! * [`guarded`]: the shell of a status-returning export: runs the body, turns its `Err` into the status and a
//!   message in the caller's `np_error_t` ([`write_error`], rule P5), and a panic into `NP_ERR_PANIC` with its
//!   message ([`catch`], rule P7). [`catch_leaf`] is the same for `[leaf]` functions, without a message.
//! * Arguments: [`text_arg`] (an `np_str_t` that must be UTF-8), [`bytes_arg`], [`out_arg`] (out-pointers), and
//!   [`OutBytes`] over an `np_out_bytes_t` (rule P6: nothing from the host reaches plugin code unchecked).
//! * Instances: [`InstanceBox`]: create through a factory, destroy, poisoning after a panic, and the refusal of an
//!   overlapping call on an `NP_THREADING_SINGLE` instance (rule H4).
//!
//! # Panics print nothing
//!
//! The default panic hook would print "thread '...' panicked at ..." to the host process's stderr. Inside a boundary
//! call the SDK's hook prints nothing: it only records the panic location, and the SDK reports message and location
//! in the call's `np_error_t` and through the host logger (`NP_LOG_ERROR`), where the host decides what to show
//! (guarantee S1). Set `NPLUG_RUST_PANIC_STDERR=1` to also run the previous hook (the default stderr report, with
//! backtrace support). Panics outside a boundary call (a plugin's own threads, the SDK's unit tests) go to the
//! previous hook unchanged.
//!
//! The hook is installed once per library (a cdylib has its own copy of std, so its own hook), by the first
//! `np_entry` call, before any plugin code can run; [`catch`] installs it too, as a safety net.
//!
//! The thread-local state has no destructor on purpose: a `thread_local!` with a destructor, once touched by a
//! thread that is still alive, keeps a cdylib mapped after `dlclose` (platform facts).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, Once};

use nplug_abi::{NP_ERR_PANIC, NP_OK, np_error_t, np_status};

pub use crate::args::{bytes_arg, out_arg, text_arg};
pub use crate::error::write_error;
pub use crate::instance::InstanceBox;
pub use crate::out_bytes::OutBytes;

use crate::error::{Error, Result};

/// A caught panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaughtPanic {
    /// The panic message (`panic!("...")` text), or a note when the payload was not a string.
    pub message: String,
    /// `file:line:column` of the panic, when the hook saw it.
    pub location: Option<String>,
}

impl std::fmt::Display for CaughtPanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{} (at {location})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Fixed-size, destructor-free storage for the last panic location on this thread.
#[derive(Clone, Copy)]
struct LocationBuf {
    len: usize,
    bytes: [u8; 240],
}

// The thread-local must never need a destructor (see the module comment); fail the build if that ever changes.
const _: () = assert!(!std::mem::needs_drop::<RefCell<LocationBuf>>() && !std::mem::needs_drop::<Cell<u32>>());

thread_local! {
    /// Depth of nested boundary calls on this thread (a host callback could call another plugin of this library).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic inside a boundary call happened.
    static LOCATION: RefCell<LocationBuf> = const { RefCell::new(LocationBuf { len: 0, bytes: [0; 240] }) };
}

struct Fixed<'a>(&'a mut LocationBuf);

impl std::fmt::Write for Fixed<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.0.bytes.len() - self.0.len;
        let s = crate::error::truncate_utf8(s, room);
        self.0.bytes[self.0.len..self.0.len + s.len()].copy_from_slice(s.as_bytes());
        self.0.len += s.len();
        Ok(())
    }
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// The hook that was installed before ours; panics outside a boundary call go to it.
static PREVIOUS: Mutex<Option<Hook>> = Mutex::new(None);
static INSTALL: Once = Once::new();

/// `NPLUG_RUST_PANIC_STDERR`, read at the first panic inside a boundary call (not at install: np_entry reads no
/// environment and allocates nothing).
static FORWARD_TO_STDERR: AtomicU8 = AtomicU8::new(FORWARD_UNKNOWN);
const FORWARD_UNKNOWN: u8 = 0;
const FORWARD_NO: u8 = 1;
const FORWARD_YES: u8 = 2;

/// Installs the SDK's panic hook once, chaining to whatever hook was there before. Called by `np_entry` (so the hook
/// is in place before any plugin code runs) and by [`catch`].
///
/// Nothing here allocates: our hook is a plain function and std's default hook is zero-sized, so their boxes own no
/// heap memory, and loading and unloading the library repeatedly leaks nothing (rule P4).
pub(crate) fn install_hook() {
    // std's take_hook/set_hook panic on a thread that is panicking; try again on the next call instead.
    if INSTALL.is_completed() || std::thread::panicking() {
        return;
    }
    INSTALL.call_once(|| {
        *PREVIOUS.lock().unwrap_or_else(|e| e.into_inner()) = Some(panic::take_hook());
        panic::set_hook(Box::new(sdk_hook));
    });
}

/// Whether the SDK's hook is installed in this process (for the S1 test, which runs in a fresh child process).
#[cfg(test)]
pub(crate) fn hook_installed() -> bool {
    INSTALL.is_completed()
}

fn forward_to_stderr() -> bool {
    match FORWARD_TO_STDERR.load(Ordering::Relaxed) {
        FORWARD_NO => false,
        FORWARD_YES => true,
        _ => {
            let forward = std::env::var_os("NPLUG_RUST_PANIC_STDERR").is_some_and(|v| v != "0" && !v.is_empty());
            FORWARD_TO_STDERR.store(if forward { FORWARD_YES } else { FORWARD_NO }, Ordering::Relaxed);
            forward
        }
    }
}

fn call_previous(info: &PanicHookInfo<'_>) {
    if let Some(previous) = PREVIOUS.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        previous(info);
    }
}

fn sdk_hook(info: &PanicHookInfo<'_>) {
    let inside = DEPTH.try_with(|d| d.get() > 0).unwrap_or(false);
    if !inside {
        call_previous(info);
        return;
    }
    if let Some(location) = info.location() {
        let _ = LOCATION.try_with(|buf| {
            if let Ok(mut buf) = buf.try_borrow_mut() {
                buf.len = 0;
                let _ = write!(Fixed(&mut buf), "{}:{}:{}", location.file(), location.line(), location.column());
            }
        });
    }
    if forward_to_stderr() {
        call_previous(info);
    }
}

/// The shell of an exported function that returns `np_status`: runs `body`; `Ok` is `NP_OK` with `error` untouched,
/// `Err` is its status with its message written into `error` (or, when the message is empty, the message every
/// SDK gives then: `PLUGIN: FUNCTION failed with NP_ERR_X (the plugin gave no message)`, rule S7). A panic that the
/// body did not contain itself (plugin code runs inside [`InstanceBox::call`], which does) still never crosses into
/// C: it is `NP_ERR_PANIC` naming `plugin` and `function`.
///
/// # Safety
/// `error` is NULL or the caller's `np_error_t` for this call, its `message` valid for `capacity` bytes.
pub unsafe fn guarded(
    function: &str,
    plugin: &str,
    error: *mut np_error_t,
    body: impl FnOnce() -> Result<()>,
) -> np_status {
    let err = match catch(body) {
        Ok(Ok(())) => return NP_OK,
        Ok(Err(err)) => err.or_default_message(plugin, function),
        Err(panic) => Error::new(NP_ERR_PANIC, format!("{plugin} panicked in {function} (inside the SDK): {panic}")),
    };
    // SAFETY: the caller's contract.
    unsafe { err.write_to(error) };
    err.status()
}

/// Runs plugin code that belongs to no instance (a function of an interface without instances, or one that takes
/// no instance): a panic becomes `NP_ERR_PANIC` naming `plugin` and `function` with the panic's message, as
/// [`InstanceBox::call`] does for methods (there is no instance to poison).
pub fn call_plugin<R>(plugin: &str, function: &str, body: impl FnOnce() -> Result<R>) -> Result<R> {
    catch(body)
        .unwrap_or_else(|panic| Err(Error::new(NP_ERR_PANIC, format!("{plugin} panicked in {function}: {panic}"))))
}

/// Runs `body`, turning a panic into a [`CaughtPanic`]. Never unwinds.
pub fn catch<R>(body: impl FnOnce() -> R) -> Result<R, CaughtPanic> {
    install_hook();
    let _ = LOCATION.try_with(|buf| {
        if let Ok(mut buf) = buf.try_borrow_mut() {
            buf.len = 0;
        }
    });
    let _ = DEPTH.try_with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(body)).map_err(|payload| {
        // Read the location before dropping the payload: its Drop may panic again and overwrite it.
        let location = LOCATION
            .try_with(|buf| {
                let buf = buf.try_borrow().ok()?;
                (buf.len > 0).then(|| String::from_utf8_lossy(&buf.bytes[..buf.len]).into_owned())
            })
            .ok()
            .flatten();
        let message = payload_message(&*payload);
        drop_payload(payload); // still inside the boundary: a panic here is silenced too
        CaughtPanic { message, location }
    });
    let _ = DEPTH.try_with(|d| d.set(d.get().saturating_sub(1)));
    result
}

/// A panic caught by [`catch_leaf`]: no message or location (a `[leaf]` does not allocate to keep them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeafPanic;

/// Like [`catch`] but reporting no message or location: for `[leaf]` functions, which never allocate (rule P11).
/// The hook is installed by then (by `np_entry`, whose own body runs here, and by every [`catch`]).
pub fn catch_leaf<R>(body: impl FnOnce() -> R) -> Result<R, LeafPanic> {
    let _ = DEPTH.try_with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(body)).map_err(|payload| {
        drop_payload(payload);
        LeafPanic
    });
    let _ = DEPTH.try_with(|d| d.set(d.get().saturating_sub(1)));
    result
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

/// Dropping a payload can itself panic (its Drop runs user code); that second panic must not escape either.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(nested) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(nested);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_str_string_and_other_payloads() {
        let caught = catch(|| panic!("plain")).unwrap_err();
        assert_eq!(caught.message, "plain");
        let location = caught.location.expect("the hook records the location");
        assert!(location.starts_with("nplug-sdk/src/boundary.rs:") || location.contains("boundary.rs:"), "{location}");

        let n = 42;
        assert_eq!(catch(|| panic!("formatted {n}")).unwrap_err().message, "formatted 42");
        assert_eq!(catch(|| std::panic::panic_any(7u8)).unwrap_err().message, "a panic with a non-string payload");
        assert_eq!(catch(|| 5).unwrap(), 5);
    }

    #[test]
    fn a_payload_that_panics_on_drop_is_contained() {
        struct Nasty;
        impl Drop for Nasty {
            fn drop(&mut self) {
                panic!("in drop");
            }
        }
        let caught = catch(|| std::panic::panic_any(Nasty)).unwrap_err();
        assert_eq!(caught.message, "a panic with a non-string payload");
    }

    #[test]
    fn depth_is_restored_and_nesting_works() {
        let inner = catch(|| catch(|| panic!("inner")).unwrap_err().message).unwrap();
        assert_eq!(inner, "inner");
        assert_eq!(DEPTH.with(|d| d.get()), 0);
        assert!(catch_leaf(|| panic!("leaf")).is_err());
    }
}
