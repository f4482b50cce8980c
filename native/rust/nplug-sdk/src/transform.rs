//! The `np.transform/1` vtable for a [`Transform`] type: the `extern "C"` functions the host calls, each a thin
//! shell that checks its arguments, contains panics, poisons the instance after one (rule P7), keeps the stats
//! counters and writes errors.

use std::any::TypeId;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::mem::{offset_of, size_of};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, TryLockError};

use nplug_abi::{
    NP_ERR_INVALID_ARGUMENT, NP_ERR_PANIC, NP_ERR_STATE, NP_OK, np_batch_t, np_emitter_t, np_error_t, np_host_t,
    np_instance_t, np_status, np_str_t, np_transform_stats_t, np_transform_v1_t,
};

use crate::batch::Batch;
use crate::boundary::{self, CaughtPanic};
use crate::config::Config;
use crate::emitter::Emitter;
use crate::error::{Error, Result};
use crate::host::{Host, LogLevel};
use crate::library;
use crate::plugin::{Threading, Transform};
use crate::strings::{StrError, str_from_np};

/// "nplugRS1": marks a live instance made by this SDK.
const LIVE: u64 = u64::from_le_bytes(*b"nplugRS1");
/// Written over the magic by destroy, so a second destroy or a call after it is caught (best effort).
const DEAD: u64 = u64::from_le_bytes(*b"nplugDED");

/// The start of every instance, independent of the plugin type, so a foreign pointer can be checked safely.
#[repr(C)]
struct Header {
    magic: u64,
    plugin: TypeId,
}

/// What `np_instance_t*` points to.
#[repr(C)]
struct Instance<T> {
    header: Header,
    host: Host,
    poisoned: AtomicBool,
    /// A stream is open: a process ran since create or the last flush (guarantees S4, S5).
    stream_open: AtomicBool,
    /// The message of the panic that poisoned the instance.
    poison: OnceLock<String>,
    records_in: AtomicU64,
    records_out: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    plugin: Mutex<T>,
}

enum Lookup<'a, T> {
    Null,
    Foreign,
    Live(&'a Instance<T>),
}

impl<T: Transform> Instance<T> {
    /// Checks that `raw` is a live instance of `T` without allocating (used by the [leaf] stats function too).
    unsafe fn lookup<'a>(raw: *mut np_instance_t) -> Lookup<'a, T> {
        if raw.is_null() {
            return Lookup::Null;
        }
        // SAFETY: best effort; a host passing a pointer that is not an instance breaks the ABI anyway, but the
        // common mistakes (an instance of another plugin, a destroyed instance) are caught here.
        let header = unsafe { &*(raw as *const Header) };
        if header.magic != LIVE || header.plugin != TypeId::of::<T>() {
            return Lookup::Foreign;
        }
        Lookup::Live(unsafe { &*(raw as *const Instance<T>) })
    }

    unsafe fn get<'a>(raw: *mut np_instance_t) -> Result<&'a Instance<T>> {
        match unsafe { Self::lookup(raw) } {
            Lookup::Live(instance) => Ok(instance),
            Lookup::Null => Err(Error::invalid_argument("the instance (np_instance_t*) is NULL")),
            Lookup::Foreign => Err(Error::invalid_argument(format!(
                "the instance was not created by {} or was already destroyed",
                T::INFO.id
            ))),
        }
    }

    fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    fn poison(&self, message: String) {
        let _ = self.poison.set(message);
        self.poisoned.store(true, Ordering::Release);
    }

    fn poisoned_error(&self) -> Error {
        Error::state(format!(
            "{} instance is poisoned: an earlier call panicked ({}); only destroy is allowed now (rule P7)",
            T::INFO.id,
            self.poison.get().map(String::as_str).unwrap_or("no message")
        ))
    }

    /// Locks the plugin state. A SINGLE plugin is never called concurrently (rule H4): an overlapping call is
    /// refused instead of racing. A THREAD_SAFE plugin's calls are serialized.
    fn lock(&self) -> Result<MutexGuard<'_, T>> {
        match T::INFO.threading {
            Threading::ThreadSafe => Ok(self.plugin.lock().unwrap_or_else(|e| e.into_inner())),
            Threading::Single => match self.plugin.try_lock() {
                Ok(guard) => Ok(guard),
                Err(TryLockError::Poisoned(e)) => Ok(e.into_inner()),
                Err(TryLockError::WouldBlock) => Err(Error::state(format!(
                    "{} is NP_THREADING_SINGLE but was called while another call on the same instance was running \
                     (the host must serialize them, rule H4)",
                    T::INFO.id
                ))),
            },
        }
    }

    /// Runs plugin code, turning a panic into NP_ERR_PANIC and poisoning the instance (rule P7).
    fn run(&self, function: &str, body: impl FnOnce(&mut T) -> Result<()>) -> Result<()> {
        let mut guard = self.lock()?;
        let outcome = boundary::catch(|| body(&mut guard));
        drop(guard);
        match outcome {
            Ok(Err(err)) if err.status() == NP_ERR_PANIC => {
                // A plugin returning NP_ERR_PANIC itself: the host will treat the instance as poisoned, so do we.
                self.poison(err.message().to_string());
                Err(err)
            }
            Ok(result) => result,
            Err(panic) => {
                let err = panic_error::<T>(function, &panic);
                self.host.log(LogLevel::Error, err.message());
                self.poison(panic.to_string());
                Err(err)
            }
        }
    }

    /// Adds what an emitter received during a call to the counters.
    fn count_output(&self, out: &Emitter<'_>) {
        let (records, bytes) = out.emitted();
        self.records_out.fetch_add(records, Ordering::Relaxed);
        self.bytes_out.fetch_add(bytes, Ordering::Relaxed);
    }
}

fn panic_error<T: Transform>(function: &str, panic: &CaughtPanic) -> Error {
    Error::new(NP_ERR_PANIC, format!("{} panicked in {function}: {panic}", T::INFO.id))
}

/// Runs a boundary body; any panic the body did not handle itself (an SDK bug) still never crosses into C.
fn guarded(function: &str, plugin: &str, error: *mut np_error_t, body: impl FnOnce() -> Result<()>) -> np_status {
    let outcome = boundary::catch(body);
    let err = match outcome {
        Ok(Ok(())) => return NP_OK,
        Ok(Err(err)) => err.or_default_message(plugin, function),
        Err(panic) => Error::new(NP_ERR_PANIC, format!("{plugin} panicked in {function} (inside the SDK): {panic}")),
    };
    // SAFETY: error is NULL or the caller's buffer for this call.
    unsafe { err.write_to(error) };
    err.status()
}

/// Reads the config handed to `create`: NULL/length problems are NP_ERR_INVALID_ARGUMENT, bad UTF-8 NP_ERR_CONFIG.
unsafe fn config_text<'a>(config: np_str_t) -> Result<&'a str> {
    unsafe { str_from_np(config) }.map_err(|e| match e {
        StrError::InvalidUtf8 { .. } => Error::config(format!("the config is rejected: {e}")),
        _ => Error::invalid_argument(format!("the config np_str_t is malformed: {e}")),
    })
}

/// The vtable and the exported functions of plugin type `T`.
pub struct TransformGlue<T>(PhantomData<T>);

impl<T: Transform> TransformGlue<T> {
    /// The `np_transform_v1_t` of `T` (static data of the library).
    pub const VTABLE: np_transform_v1_t = np_transform_v1_t {
        struct_size: size_of::<np_transform_v1_t>() as u32,
        reserved: 0,
        create: Some(Self::create),
        destroy: Some(Self::destroy),
        process: Some(Self::process),
        flush: Some(Self::flush),
        stats: Some(Self::stats),
    };

    /// `VTABLE` as the `const void*` of an `np_interface_t`.
    pub const VTABLE_PTR: *const c_void = &Self::VTABLE as *const np_transform_v1_t as *const c_void;

    unsafe extern "C" fn create(
        host: *const np_host_t,
        config: np_str_t,
        out_instance: *mut *mut np_instance_t,
        error: *mut np_error_t,
    ) -> np_status {
        guarded("create", T::INFO.id, error, || unsafe {
            if out_instance.is_null() {
                return Err(Error::invalid_argument("out_instance (np_instance_t**) is NULL"));
            }
            *out_instance = std::ptr::null_mut();
            let host = Host::from_raw(host)?;
            if !library::is_initialised() {
                return Err(Error::state(format!(
                    "cannot create {}: the library is not initialised (the host must call np_library_t.init first)",
                    T::INFO.id
                )));
            }
            let config = Config::new(config_text(config)?);
            let plugin = match boundary::catch(|| T::create(&host, &config)) {
                Ok(plugin) => plugin?,
                Err(panic) => {
                    let err = panic_error::<T>("create", &panic);
                    host.log(LogLevel::Error, err.message());
                    return Err(err);
                }
            };
            let instance = Box::new(Instance {
                header: Header { magic: LIVE, plugin: TypeId::of::<T>() },
                host,
                poisoned: AtomicBool::new(false),
                stream_open: AtomicBool::new(false),
                poison: OnceLock::new(),
                records_in: AtomicU64::new(0),
                records_out: AtomicU64::new(0),
                bytes_in: AtomicU64::new(0),
                bytes_out: AtomicU64::new(0),
                plugin: Mutex::new(plugin),
            });
            *out_instance = Box::into_raw(instance) as *mut np_instance_t;
            Ok(())
        })
    }

    unsafe extern "C" fn destroy(raw: *mut np_instance_t) {
        let _ = boundary::catch(|| unsafe {
            let Lookup::Live(instance) = Instance::<T>::lookup(raw) else {
                // NULL is a no-op; a foreign or destroyed pointer is never freed.
                return;
            };
            let host = instance.host;
            (*(raw as *mut Header)).magic = DEAD;
            let owned = Box::from_raw(raw as *mut Instance<T>);
            if let Err(panic) = boundary::catch(move || drop(owned)) {
                let err = panic_error::<T>("destroy", &panic);
                host.log(LogLevel::Error, err.message());
            }
        });
    }

    unsafe extern "C" fn process(
        raw: *mut np_instance_t,
        batch: *const np_batch_t,
        out: *mut np_emitter_t,
        error: *mut np_error_t,
    ) -> np_status {
        guarded("process", T::INFO.id, error, || unsafe {
            let instance = Instance::<T>::get(raw)?;
            if instance.is_poisoned() {
                return Err(instance.poisoned_error());
            }
            let batch = Batch::from_raw(batch)?;
            let mut out = Emitter::from_raw(out)?;
            if out.overlaps(batch.data()) {
                return Err(Error::invalid_argument(
                    "the batch's data and the emitter's buffer overlap (input and output must be different memory)",
                ));
            }
            instance.records_in.fetch_add(batch.len() as u64, Ordering::Relaxed);
            instance.bytes_in.fetch_add(batch.total_bytes() as u64, Ordering::Relaxed);
            let result = instance.run("process", |plugin| {
                instance.stream_open.store(true, Ordering::Relaxed); // under the call guard (S3)
                plugin.process(&batch, &mut out)
            });
            instance.count_output(&out);
            finish(result, &out)
        })
    }

    unsafe extern "C" fn flush(raw: *mut np_instance_t, out: *mut np_emitter_t, error: *mut np_error_t) -> np_status {
        guarded("flush", T::INFO.id, error, || unsafe {
            let instance = Instance::<T>::get(raw)?;
            if instance.is_poisoned() {
                return Err(instance.poisoned_error());
            }
            let mut out = Emitter::from_raw(out)?;
            // S4: a flush with no stream open (right after create, or after a flush) emits nothing and runs no plugin
            // code. S5: a flush ends the stream even when it fails (what it emitted stays emitted). Both under the
            // call guard, so that a refused overlapping call (S3) changes nothing.
            let result = instance.run("flush", |plugin| {
                if !instance.stream_open.swap(false, Ordering::Relaxed) {
                    return Ok(());
                }
                plugin.flush(&mut out)
            });
            instance.count_output(&out);
            finish(result, &out)
        })
    }

    /// [leaf]: no host call, no allocation, no lock; counters are atomics.
    unsafe extern "C" fn stats(raw: *mut np_instance_t, out_stats: *mut np_transform_stats_t) -> np_status {
        boundary::catch_leaf(|| unsafe {
            let Lookup::Live(instance) = Instance::<T>::lookup(raw) else {
                return NP_ERR_INVALID_ARGUMENT;
            };
            if out_stats.is_null() {
                return NP_ERR_INVALID_ARGUMENT;
            }
            if instance.is_poisoned() {
                return NP_ERR_STATE;
            }
            // Fill only the fields the caller's struct_size covers (an older caller knows fewer).
            let size = (*out_stats).struct_size as usize;
            let fields = [
                (offset_of!(np_transform_stats_t, records_in), &instance.records_in),
                (offset_of!(np_transform_stats_t, records_out), &instance.records_out),
                (offset_of!(np_transform_stats_t, bytes_in), &instance.bytes_in),
                (offset_of!(np_transform_stats_t, bytes_out), &instance.bytes_out),
            ];
            for (offset, counter) in fields {
                if offset + size_of::<u64>() <= size {
                    ((out_stats as *mut u8).add(offset) as *mut u64).write_unaligned(counter.load(Ordering::Relaxed));
                }
            }
            NP_OK
        })
        .unwrap_or(NP_ERR_PANIC)
    }
}

/// A failed reserve is the call's status even if the plugin swallowed it (rule P10).
fn finish(result: Result<()>, out: &Emitter<'_>) -> Result<()> {
    match (result, out.failure()) {
        (Ok(()), Some(failure)) => Err(failure.clone()),
        (result, _) => result,
    }
}
