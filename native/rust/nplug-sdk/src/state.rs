//! The `np.state/1` vtable (ABI 1.3) for a [`StatefulTransform`] type: `save` and `restore` on the instances the
//! type's `np.transform/1` glue created, each a thin shell that checks its arguments, contains panics, poisons the
//! instance after one (rule P7) and refuses an overlapping call (rule H4) through the same instance guard.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::mem::size_of;
use std::sync::atomic::Ordering;

use nplug_abi::{NP_STATE_ID, np_bytes_t, np_error_t, np_interface_layout_t, np_out_bytes_t, np_state_v1_t, np_status};

use crate::boundary::{OutBytes, guarded};
use crate::error::Error;
use crate::interface::Interface;
use crate::plugin::StatefulTransform;
use crate::transform::Instance;

/// The vtable and the exported functions of plugin type `T`.
pub struct StateGlue<T>(PhantomData<T>);

impl<T: StatefulTransform> StateGlue<T> {
    /// The `np_state_v1_t` of `T` (static data of the library).
    pub const VTABLE: np_state_v1_t = np_state_v1_t {
        struct_size: size_of::<np_state_v1_t>() as u32,
        reserved: 0,
        save: Some(Self::save),
        restore: Some(Self::restore),
    };

    unsafe extern "C" fn save(raw: *mut c_void, out: *mut np_out_bytes_t, error: *mut np_error_t) -> np_status {
        unsafe {
            guarded("save", T::INFO.id, error, || {
                let instance = Instance::<T>::get(raw)?;
                if instance.is_poisoned() {
                    return Err(instance.poisoned_error());
                }
                let mut out = OutBytes::from_raw(out)?;
                let result = instance.call("save", |plugin| plugin.save(&mut out));
                out.finish(result)
            })
        }
    }

    unsafe extern "C" fn restore(raw: *mut c_void, state: np_bytes_t, error: *mut np_error_t) -> np_status {
        unsafe {
            guarded("restore", T::INFO.id, error, || {
                let instance = Instance::<T>::get(raw)?;
                if instance.is_poisoned() {
                    return Err(instance.poisoned_error());
                }
                if state.ptr.is_null() && state.len != 0 {
                    return Err(Error::invalid_argument(format!("restore: state.ptr is NULL, len {}", state.len)));
                }
                let bytes: &[u8] =
                    if state.len == 0 { &[] } else { std::slice::from_raw_parts(state.ptr, state.len as usize) };
                let stream = &instance.state().stream_open;
                instance.call("restore", |plugin| {
                    // Under the call guard (S3): a refused overlapping call changes nothing.
                    if stream.load(Ordering::Relaxed) {
                        return Err(Error::state(
                            "restore: a stream is open; restore into a fresh instance (after create or flush)",
                        ));
                    }
                    plugin.restore(bytes)?;
                    stream.store(true, Ordering::Relaxed); // the saved one may have held something back
                    Ok(())
                })
            })
        }
    }
}

/// The `np.state/1` interface: a plugin implementing [`StatefulTransform`] lists it after `TransformInterface`.
pub struct StateInterface;

// SAFETY: StateGlue::VTABLE is the np_state_v1_t of P, static data, filled with the SDK's glue, whose functions take
// the instances TransformGlue::<P> creates.
unsafe impl<P: StatefulTransform> Interface<P> for StateInterface {
    const ID: &'static str = NP_STATE_ID;
    type VTable = np_state_v1_t;
    const VTABLE: &'static np_state_v1_t = &StateGlue::<P>::VTABLE;
    /// Part of the ABI like np.transform/1: covered by the ABI's fingerprint, so no layout of its own.
    const LAYOUT: np_interface_layout_t = np_interface_layout_t { fingerprint: 0, report: std::ptr::null() };
}
