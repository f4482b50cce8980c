//! `np.state/1` (ABI 1.3) end to end through the C ABI: a counting transform that implements
//! [`StatefulTransform`], listed with `StateInterface`, saved and restored as a host does on hot reload.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use nplug_abi::{
    NP_ERR_INPUT, NP_ERR_OUT_OF_MEMORY, NP_ERR_PANIC, NP_ERR_STATE, NP_STATE_ID, NP_TRANSFORM_ID, np_bytes_t,
    np_state_v1_t,
};
use nplug_sdk::testing::{CallError, ErrorBuffer, TestInstance, TestLibrary, TestOutBytes};
use nplug_sdk::{
    Batch, Config, Emitter, Error, Host, OutBytes, Plugin, PluginInfo, Result, StateInterface, StatefulTransform,
    Transform, TransformInterface,
};

/// The blob's format tag: a later version that changes the format can tell.
const FORMAT: &[u8; 4] = b"tly1";

/// Counts the records of a stream; flush emits `count=N`.
struct Tally {
    count: u64,
}

/// Makes the next `save` panic (the SDK must contain it and poison the instance).
static PANIC_IN_SAVE: AtomicBool = AtomicBool::new(false);

impl Plugin for Tally {
    const INFO: PluginInfo = PluginInfo::new("org.nplug.test.tally", "Tally", "1.0.0");
}

impl Transform for Tally {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self> {
        config.options(&[])?;
        Ok(Tally { count: 0 })
    }

    fn process(&mut self, batch: &Batch<'_>, _out: &mut Emitter<'_>) -> Result<()> {
        self.count += batch.len() as u64;
        Ok(())
    }

    fn flush(&mut self, out: &mut Emitter<'_>) -> Result<()> {
        out.emit(format!("count={}", self.count).as_bytes())?;
        self.count = 0;
        Ok(())
    }
}

impl StatefulTransform for Tally {
    fn save(&self, out: &mut OutBytes<'_>) -> Result<()> {
        if PANIC_IN_SAVE.swap(false, Ordering::Relaxed) {
            panic!("save panicked on purpose");
        }
        out.write(FORMAT)?;
        out.write(&self.count.to_le_bytes())
    }

    fn restore(&mut self, state: &[u8]) -> Result<()> {
        let Some(count) = state.strip_prefix(FORMAT).and_then(|rest| <[u8; 8]>::try_from(rest).ok()) else {
            return Err(Error::input(format!("not a '{}' state ({} bytes)", "tly1", state.len())));
        };
        self.count = u64::from_le_bytes(count);
        Ok(())
    }
}

nplug_sdk::export_plugins!(Tally: [TransformInterface, StateInterface]);

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const ID: &str = "org.nplug.test.tally";

fn state_vtable(library: &TestLibrary) -> &'static np_state_v1_t {
    let (vtable, _) = library.interface(ID, NP_STATE_ID);
    unsafe { &*(vtable as *const np_state_v1_t) }
}

fn save(
    library: &TestLibrary,
    instance: &TestInstance<'_>,
    out: &mut TestOutBytes,
) -> std::result::Result<(), CallError> {
    let mut error = ErrorBuffer::with_capacity(256);
    let save = state_vtable(library).save.expect("save is never NULL");
    let status = unsafe { save(instance.raw().cast(), out.raw(), error.raw()) };
    error.result(status)
}

fn restore(library: &TestLibrary, instance: &TestInstance<'_>, state: &[u8]) -> std::result::Result<(), CallError> {
    let mut error = ErrorBuffer::with_capacity(256);
    let restore = state_vtable(library).restore.expect("restore is never NULL");
    let blob =
        np_bytes_t { ptr: if state.is_empty() { std::ptr::null() } else { state.as_ptr() }, len: state.len() as u64 };
    let status = unsafe { restore(instance.raw().cast(), blob, error.raw()) };
    error.result(status)
}

#[test]
fn the_plugin_lists_np_state_next_to_np_transform() {
    let _serial = serial();
    let library = TestLibrary::load(np_entry).expect("loads");
    assert_eq!(library.interface_ids(ID), vec![NP_TRANSFORM_ID, NP_STATE_ID]);
    assert_eq!(state_vtable(&library).struct_size as usize, size_of::<np_state_v1_t>());
}

#[test]
fn save_grows_a_small_buffer_and_restore_continues_the_count_in_a_fresh_instance() {
    let _serial = serial();
    let library = TestLibrary::load(np_entry).expect("loads");
    let mut a = library.create(ID, "").expect("create");
    a.process(&["x", "y", "z"]).expect("process");
    let mut out = TestOutBytes::growable(1);
    save(&library, &a, &mut out).expect("save");
    assert!(out.reserve_calls() >= 1, "a 1-byte buffer must grow");
    assert_eq!(out.bytes().len(), 12);

    let mut b = library.create(ID, "").expect("create");
    restore(&library, &b, out.bytes()).expect("restore");
    b.process(&["w"]).expect("process");
    assert_eq!(b.flush().expect("flush"), vec!["count=4"]);
    assert_eq!(a.flush().expect("flush"), vec!["count=3"], "save leaves the instance as it was");
}

#[test]
fn a_restored_instance_flushes_what_the_saved_one_held_even_without_a_process() {
    let _serial = serial();
    let library = TestLibrary::load(np_entry).expect("loads");
    let mut a = library.create(ID, "").expect("create");
    a.process(&["x"]).expect("process");
    let mut out = TestOutBytes::growable(64);
    save(&library, &a, &mut out).expect("save");
    let mut b = library.create(ID, "").expect("create");
    restore(&library, &b, out.bytes()).expect("restore");
    assert_eq!(b.flush().expect("flush"), vec!["count=1"]);
}

#[test]
fn save_into_a_fixed_buffer_that_is_too_small_is_out_of_memory() {
    let _serial = serial();
    let library = TestLibrary::load(np_entry).expect("loads");
    let a = library.create(ID, "").expect("create");
    let mut out = TestOutBytes::fixed(4);
    let e = save(&library, &a, &mut out).unwrap_err();
    assert_eq!(e.status, NP_ERR_OUT_OF_MEMORY, "{e}");
}

#[test]
fn a_blob_the_plugin_does_not_understand_is_refused_and_the_instance_stays_usable() {
    let _serial = serial();
    let library = TestLibrary::load(np_entry).expect("loads");
    let mut a = library.create(ID, "").expect("create");
    let e = restore(&library, &a, b"garbage, not a state").unwrap_err();
    assert_eq!(e.status, NP_ERR_INPUT, "{e}");
    assert!(e.message.contains("not a 'tly1' state"), "{e}");
    a.process(&["x"]).expect("still usable");
    assert_eq!(a.flush().expect("flush"), vec!["count=1"]);
}

#[test]
fn a_restore_into_an_instance_with_a_stream_open_is_refused() {
    let _serial = serial();
    let library = TestLibrary::load(np_entry).expect("loads");
    let mut a = library.create(ID, "").expect("create");
    a.process(&["x"]).expect("process");
    let e = restore(&library, &a, b"tly1\0\0\0\0\0\0\0\0").unwrap_err();
    assert_eq!(e.status, NP_ERR_STATE, "{e}");
    assert_eq!(a.flush().expect("flush"), vec!["count=1"], "the refused restore changed nothing");
}

#[test]
fn a_panic_in_save_is_contained_and_poisons_the_instance() {
    let _serial = serial();
    let library = TestLibrary::load(np_entry).expect("loads");
    let mut a = library.create(ID, "").expect("create");
    PANIC_IN_SAVE.store(true, Ordering::Relaxed);
    let mut out = TestOutBytes::growable(64);
    let e = save(&library, &a, &mut out).unwrap_err();
    assert_eq!(e.status, NP_ERR_PANIC, "{e}");
    assert!(e.message.contains("save panicked on purpose"), "{e}");
    let e = restore(&library, &a, b"").unwrap_err();
    assert_eq!(e.status, NP_ERR_STATE, "{e}");
    assert_eq!(a.process(&["x"]).unwrap_err().status, NP_ERR_STATE);
}
