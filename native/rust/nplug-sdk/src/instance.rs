//! [`InstanceBox`]: what an interface's opaque instance pointer points to, for every interface with instances
//! (`np.transform/1` and the ones `nplug bindgen` generates glue for). One implementation of the instance rules, so
//! that every interface gets them the same way:
//!
//! * `create` goes through one factory call, with the host table and the config checked first (rule P6) and a panic
//!   in the factory contained (rule P7);
//! * a pointer that is NULL, of another plugin or interface, or already destroyed is refused before any plugin code
//!   runs (best effort: a magic number and a type tag at the start of the allocation);
//! * a panic in a method poisons the instance: every later call except `destroy` is `NP_ERR_STATE` (rule P7);
//! * an `NP_THREADING_SINGLE` plugin's calls are never run concurrently: an overlapping call (a host breaking rule
//!   H4) is refused with `NP_ERR_STATE` instead of racing; a `NP_THREADING_THREAD_SAFE` plugin's calls are
//!   serialized by a lock (rule P9), so a plugin can always take `&mut self`.

use std::any::TypeId;
use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, TryLockError};

use nplug_abi::{NP_ERR_PANIC, np_host_t, np_str_t};

use crate::boundary::{self, CaughtPanic};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::host::{Host, LogLevel};
use crate::library;
use crate::plugin::{Plugin, Threading};
use crate::strings::{StrError, str_from_np};

/// "nplugRS1": marks a live instance made by this SDK.
const LIVE: u64 = u64::from_le_bytes(*b"nplugRS1");
/// Written over the magic by destroy, so a second destroy or a call after it is caught (best effort).
const DEAD: u64 = u64::from_le_bytes(*b"nplugDED");

/// The start of every instance, independent of its type parameters, so a foreign pointer can be checked safely.
#[repr(C)]
struct Header {
    magic: u64,
    /// `TypeId` of the whole `InstanceBox<P, I, S>`: an instance of another plugin, or of the same plugin made
    /// through another interface's `create`, is refused.
    tag: TypeId,
}

/// One live instance of plugin `P` created through interface `I`, with the interface's own per-instance state `S`
/// (the transform glue keeps its counters there; generated glue uses `()`).
///
/// The glue hands `*mut InstanceBox` to the host as the interface's opaque instance pointer (`np_instance_t *`,
/// `acme_greeter_t *`) and gets it back in every call. `I` is only a tag (the interface's marker type); it makes an
/// instance created through one interface unusable through another.
///
/// Generated glue (`nplug bindgen`) uses it as: `create` → [`InstanceBox::create`], each method →
/// [`InstanceBox::get`] then [`InstanceBox::call`] (or [`InstanceBox::lookup`] then [`InstanceBox::call_leaf`] for
/// a `[leaf]`), `destroy` → [`InstanceBox::destroy`]. A hand-written function of an interface can do the same.
#[repr(C)]
pub struct InstanceBox<P, I: 'static, S = ()> {
    header: Header,
    host: Host,
    poisoned: AtomicBool,
    /// The message of the panic that poisoned the instance (static text when a `[leaf]` panicked: leaves never
    /// allocate).
    poison: OnceLock<Cow<'static, str>>,
    state: S,
    plugin: Mutex<P>,
    _interface: PhantomData<fn() -> I>,
}

impl<P: Plugin, I: 'static, S: Send + Sync + 'static> InstanceBox<P, I, S> {
    /// Runs the whole `create` of an interface and stores the new instance in `*out_instance`: checks
    /// `out_instance` (set to NULL first, so it is NULL on every failure), the host table, that the library is
    /// initialised (rule P3) and the config (NULL/length: `NP_ERR_INVALID_ARGUMENT`, not UTF-8: `NP_ERR_CONFIG`),
    /// then calls `factory`. A panic in `factory` is `NP_ERR_PANIC` naming `P` and `function`, also logged at error
    /// level (there is no instance to poison yet). Run it inside [`boundary::guarded`].
    ///
    /// # Safety
    /// The arguments are as the host passed them to an `@create` function (rule I5): `host` NULL or a host table
    /// valid until the instance is destroyed, `config` a borrowed `np_str_t`, `out_instance` NULL or writable.
    pub unsafe fn create<R>(
        function: &str,
        host: *const np_host_t,
        config: np_str_t,
        out_instance: *mut *mut R,
        state: S,
        factory: impl FnOnce(&Host, &Config<'_>) -> Result<P>,
    ) -> Result<()> {
        if out_instance.is_null() {
            return Err(Error::invalid_argument("out_instance (the instance out-pointer) is NULL"));
        }
        // SAFETY: checked non-NULL; the caller's contract makes it writable.
        unsafe { *out_instance = std::ptr::null_mut() };
        let host = unsafe { Host::from_raw(host) }?;
        if !library::is_initialised() {
            return Err(Error::state(format!(
                "cannot create {}: the library is not initialised (the host must call np_library_t.init first)",
                P::INFO.id
            )));
        }
        let config = Config::new(unsafe { config_text(config) }?);
        let plugin = match boundary::catch(|| factory(&host, &config)) {
            Ok(plugin) => plugin?,
            Err(panic) => {
                let err = Self::panic_error(function, &panic);
                host.log(LogLevel::Error, err.message());
                return Err(err);
            }
        };
        let instance: Box<Self> = Box::new(InstanceBox {
            header: Header { magic: LIVE, tag: TypeId::of::<Self>() },
            host,
            poisoned: AtomicBool::new(false),
            poison: OnceLock::new(),
            state,
            plugin: Mutex::new(plugin),
            _interface: PhantomData,
        });
        // SAFETY: checked non-NULL above.
        unsafe { *out_instance = Box::into_raw(instance) as *mut R };
        Ok(())
    }

    /// The instance behind `raw`, or `None` when `raw` is NULL, of another plugin or interface, or destroyed.
    /// Allocates nothing and takes no lock: usable in a `[leaf]`.
    ///
    /// # Safety
    /// `raw` is NULL or a pointer the host got from this library (best effort: a pointer that is not an instance
    /// at all breaks the ABI, but the common mistakes are caught).
    pub unsafe fn lookup<'a, R>(raw: *const R) -> Option<&'a Self> {
        if raw.is_null() {
            return None;
        }
        // SAFETY: every instance this SDK hands out starts with a Header (repr(C)); see the function's contract.
        let header = unsafe { &*(raw as *const Header) };
        if header.magic != LIVE || header.tag != TypeId::of::<Self>() {
            return None;
        }
        Some(unsafe { &*(raw as *const Self) })
    }

    /// As [`InstanceBox::lookup`], with `NP_ERR_INVALID_ARGUMENT` naming the problem instead of `None`.
    ///
    /// # Safety
    /// As [`InstanceBox::lookup`].
    pub unsafe fn get<'a, R>(raw: *const R) -> Result<&'a Self> {
        if raw.is_null() {
            return Err(Error::invalid_argument("the instance pointer is NULL"));
        }
        unsafe { Self::lookup(raw) }.ok_or_else(|| {
            Error::invalid_argument(format!(
                "the instance was not created by {} through this interface, or was already destroyed",
                P::INFO.id
            ))
        })
    }

    /// The `destroy` of an interface: frees the instance and drops the plugin. NULL, a foreign and an already
    /// destroyed pointer are no-ops (never freed). A panic in the plugin's `Drop` is contained and logged at error
    /// level. Valid on a poisoned instance (rule P7).
    ///
    /// # Safety
    /// As [`InstanceBox::lookup`]; the host makes no call on the instance during or after this one.
    pub unsafe fn destroy<R>(raw: *mut R) {
        let _ = boundary::catch(|| unsafe {
            let Some(instance) = Self::lookup(raw) else {
                return;
            };
            let host = instance.host;
            (*(raw as *mut Header)).magic = DEAD;
            let owned = Box::from_raw(raw as *mut Self);
            if let Err(panic) = boundary::catch(move || drop(owned)) {
                let err = Self::panic_error("destroy", &panic);
                host.log(LogLevel::Error, err.message());
            }
        });
    }

    /// The host table the instance was created with (valid until it is destroyed, rule H7).
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The interface's own per-instance state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// Whether a panic poisoned the instance.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    /// Poisons the instance: every later call except `destroy` is refused (rule P7). The first message is kept.
    pub fn poison(&self, message: impl Into<Cow<'static, str>>) {
        let _ = self.poison.set(message.into());
        self.poisoned.store(true, Ordering::Release);
    }

    /// The `NP_ERR_STATE` every call on a poisoned instance gets, with the message of the panic that poisoned it.
    pub fn poisoned_error(&self) -> Error {
        Error::state(format!(
            "{} instance is poisoned: an earlier call panicked ({}); only destroy is allowed now (rule P7)",
            P::INFO.id,
            self.poison.get().map(|m| m.as_ref()).unwrap_or("no message")
        ))
    }

    /// Runs a method of the plugin: refused with `NP_ERR_STATE` when the instance is poisoned or (for an
    /// `NP_THREADING_SINGLE` plugin) when another call on it is running; a panic becomes `NP_ERR_PANIC` naming `P`
    /// and `function`, is logged at error level and poisons the instance, and so does a plugin returning
    /// `NP_ERR_PANIC` itself (the host treats the instance as poisoned then, so the SDK does too).
    pub fn call<R>(&self, function: &str, body: impl FnOnce(&mut P) -> Result<R>) -> Result<R> {
        if self.is_poisoned() {
            return Err(self.poisoned_error());
        }
        let mut guard = self.lock()?;
        let outcome = boundary::catch(|| body(&mut guard));
        drop(guard);
        match outcome {
            Ok(Err(err)) if err.status() == NP_ERR_PANIC => {
                self.poison(err.message().to_string());
                Err(err)
            }
            Ok(result) => result,
            Err(panic) => {
                let err = Self::panic_error(function, &panic);
                self.host.log(LogLevel::Error, err.message());
                self.poison(panic.to_string());
                Err(err)
            }
        }
    }

    /// Runs a method that cannot fail and has no status to report a failure with (an `[instance]` function that
    /// returns `void` or a plain integer): exactly [`InstanceBox::call`] (it waits for the lock of a THREAD_SAFE
    /// plugin, refuses an overlapping call on a SINGLE one, poisons after a panic), with `None` instead of the error.
    /// The glue then returns the type's default.
    pub fn call_infallible<R>(&self, function: &str, body: impl FnOnce(&mut P) -> R) -> Option<R> {
        self.call(function, |plugin| Ok(body(plugin))).ok()
    }

    /// Runs a `[leaf]` method (rule P11: never blocks, allocates or calls the host): `None` when the instance is
    /// poisoned, when another call on it is running (a leaf cannot wait for the lock, whatever the threading model),
    /// or when the method panics, which poisons the instance with a fixed message (no allocation, no host call).
    /// The glue then returns the type's default, or `NP_ERR_STATE` with static text when the leaf returns a status.
    pub fn call_leaf<R>(&self, body: impl FnOnce(&mut P) -> R) -> Option<R> {
        if self.is_poisoned() {
            return None;
        }
        let mut guard = match self.plugin.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        let outcome = boundary::catch_leaf(|| body(&mut guard));
        drop(guard);
        match outcome {
            Ok(value) => Some(value),
            Err(boundary::LeafPanic) => {
                self.poison("a [leaf] function panicked (leaf functions report no message)");
                None
            }
        }
    }

    /// Locks the plugin state. A SINGLE plugin is never called concurrently (rule H4): an overlapping call is
    /// refused instead of racing. A THREAD_SAFE plugin's calls are serialized.
    fn lock(&self) -> Result<MutexGuard<'_, P>> {
        match P::INFO.threading {
            Threading::ThreadSafe => Ok(self.plugin.lock().unwrap_or_else(|e| e.into_inner())),
            Threading::Single => match self.plugin.try_lock() {
                Ok(guard) => Ok(guard),
                Err(TryLockError::Poisoned(e)) => Ok(e.into_inner()),
                Err(TryLockError::WouldBlock) => Err(Error::state(format!(
                    "{} is NP_THREADING_SINGLE but was called while another call on the same instance was running \
                     (the host must serialize them, rule H4)",
                    P::INFO.id
                ))),
            },
        }
    }

    fn panic_error(function: &str, panic: &CaughtPanic) -> Error {
        Error::new(NP_ERR_PANIC, format!("{} panicked in {function}: {panic}", P::INFO.id))
    }
}

/// Reads the config handed to `create`: NULL/length problems are NP_ERR_INVALID_ARGUMENT, bad UTF-8 NP_ERR_CONFIG.
unsafe fn config_text<'a>(config: np_str_t) -> Result<&'a str> {
    unsafe { str_from_np(config) }.map_err(|e| match e {
        StrError::InvalidUtf8 { .. } => Error::config(format!("the config is rejected: {e}")),
        _ => Error::invalid_argument(format!("the config np_str_t is malformed: {e}")),
    })
}
