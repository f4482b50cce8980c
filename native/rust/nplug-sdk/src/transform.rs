//! The `np.transform/1` vtable for a [`Transform`] type: the `extern "C"` functions the host calls, each a thin
//! shell that checks its arguments, contains panics, poisons the instance after one (rule P7), keeps the stats
//! counters and writes errors.

use std::marker::PhantomData;
use std::mem::{offset_of, size_of};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use nplug_abi::{
    NP_ERR_INVALID_ARGUMENT, NP_ERR_PANIC, NP_ERR_STATE, NP_OK, np_batch_t, np_emitter_t, np_error_t, np_host_t,
    np_instance_t, np_status, np_str_t, np_transform_stats_t, np_transform_v1_t,
};

use crate::batch::Batch;
use crate::boundary::{self, InstanceBox, guarded};
use crate::emitter::Emitter;
use crate::error::{Error, Result};
use crate::interface::TransformInterface;
use crate::plugin::Transform;

/// What a transform instance keeps besides the plugin: the stream state and the `stats` counters (atomics, so
/// that the [leaf] `stats` reads them without a lock).
#[derive(Default)]
pub(crate) struct TransformState {
    /// A stream is open: a process ran since create or the last flush (guarantees S4, S5), or a restore
    /// (np.state/1) brought in a stream the saved instance had open.
    pub(crate) stream_open: AtomicBool,
    records_in: AtomicU64,
    records_out: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

impl TransformState {
    /// Adds what an emitter received during a call to the counters.
    fn count_output(&self, out: &Emitter<'_>) {
        let (records, bytes) = out.emitted();
        self.records_out.fetch_add(records, Ordering::Relaxed);
        self.bytes_out.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// What `np_instance_t*` points to.
pub(crate) type Instance<T> = InstanceBox<T, TransformInterface, TransformState>;

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

    unsafe extern "C" fn create(
        host: *const np_host_t,
        config: np_str_t,
        out_instance: *mut *mut np_instance_t,
        error: *mut np_error_t,
    ) -> np_status {
        unsafe {
            guarded("create", T::INFO.id, error, || {
                Instance::<T>::create("create", host, config, out_instance, TransformState::default(), T::create)
            })
        }
    }

    unsafe extern "C" fn destroy(raw: *mut np_instance_t) {
        unsafe { Instance::<T>::destroy(raw) }
    }

    unsafe extern "C" fn process(
        raw: *mut np_instance_t,
        batch: *const np_batch_t,
        out: *mut np_emitter_t,
        error: *mut np_error_t,
    ) -> np_status {
        unsafe {
            guarded("process", T::INFO.id, error, || {
                let instance = Instance::<T>::get(raw)?;
                if instance.is_poisoned() {
                    return Err(instance.poisoned_error());
                }
                let state = instance.state();
                let batch = Batch::from_raw(batch)?;
                let mut out = Emitter::from_raw(out)?;
                if out.overlaps(batch.data()) {
                    return Err(Error::invalid_argument(
                        "the batch's data and the emitter's buffer overlap (input and output must be different memory)",
                    ));
                }
                state.records_in.fetch_add(batch.len() as u64, Ordering::Relaxed);
                state.bytes_in.fetch_add(batch.total_bytes() as u64, Ordering::Relaxed);
                let result = instance.call("process", |plugin| {
                    state.stream_open.store(true, Ordering::Relaxed); // under the call guard (S3)
                    plugin.process(&batch, &mut out)
                });
                state.count_output(&out);
                finish(result, &out)
            })
        }
    }

    unsafe extern "C" fn flush(raw: *mut np_instance_t, out: *mut np_emitter_t, error: *mut np_error_t) -> np_status {
        unsafe {
            guarded("flush", T::INFO.id, error, || {
                let instance = Instance::<T>::get(raw)?;
                if instance.is_poisoned() {
                    return Err(instance.poisoned_error());
                }
                let state = instance.state();
                let mut out = Emitter::from_raw(out)?;
                // S4: a flush with no stream open (right after create, or after a flush) emits nothing and runs no plugin
                // code. S5: a flush ends the stream even when it fails (what it emitted stays emitted). Both under the
                // call guard, so that a refused overlapping call (S3) changes nothing.
                let result = instance.call("flush", |plugin| {
                    if !state.stream_open.swap(false, Ordering::Relaxed) {
                        return Ok(());
                    }
                    plugin.flush(&mut out)
                });
                state.count_output(&out);
                finish(result, &out)
            })
        }
    }

    /// [leaf]: no host call, no allocation, no lock; counters are atomics.
    unsafe extern "C" fn stats(raw: *mut np_instance_t, out_stats: *mut np_transform_stats_t) -> np_status {
        boundary::catch_leaf(|| unsafe {
            let Some(instance) = Instance::<T>::lookup(raw) else {
                return NP_ERR_INVALID_ARGUMENT;
            };
            let state = instance.state();
            if out_stats.is_null() {
                return NP_ERR_INVALID_ARGUMENT;
            }
            if instance.is_poisoned() {
                return NP_ERR_STATE;
            }
            // Fill only the fields the caller's struct_size covers (an older caller knows fewer).
            let size = (*out_stats).struct_size as usize;
            let fields = [
                (offset_of!(np_transform_stats_t, records_in), &state.records_in),
                (offset_of!(np_transform_stats_t, records_out), &state.records_out),
                (offset_of!(np_transform_stats_t, bytes_in), &state.bytes_in),
                (offset_of!(np_transform_stats_t, bytes_out), &state.bytes_out),
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
