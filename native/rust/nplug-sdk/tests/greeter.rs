//! Plugins of an interface of one's own, end to end through the C ABI: the `acme.greeter/1` bindings as
//! `nplug bindgen` generates them (tests/examples/greeter), implemented by plugins of one library next to
//! `np.transform/1`, and called as a host calls them: through `np_entry`, the descriptors and the vtables.
//!
//! The library: `Upper` (a transform, listed the plain way), `Greeter` (only acme.greeter/1), `Both` (a transform and
//! a greeter in one plugin) and `Minimal` (acme.greeter/1 without its optional `count`).

use std::mem::size_of;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use nplug_abi::{
    NP_ERR_CONFIG, NP_ERR_INPUT, NP_ERR_INVALID_ARGUMENT, NP_ERR_OUT_OF_MEMORY, NP_ERR_PANIC, NP_ERR_STATE,
    NP_TRANSFORM_ID, np_str_t,
};
use nplug_sdk::testing::{CallError, ErrorBuffer, TestLibrary, TestOutBytes};
use nplug_sdk::{
    Batch, Config, Emitter, Error, Host, LogLevel, OutBytes, Plugin, PluginInfo, Result, Threading, Transform,
    TransformInterface, np_str,
};

/// The example's generated bindings (`nplug bindgen`, tests/examples/greeter/generated), raw declarations and glue.
#[path = "../../../../tests/examples/greeter/generated/rust/greeter.rs"]
#[allow(dead_code)] // the tests use part of the bindings
mod greeter;
use greeter::{AcmeGreeterV1, AcmeGreeterV1Interface, acme_greeter_t, acme_greeter_v1_t};

const GREETER_ID: &str = "acme.greeter/1";

/// Upper-cases records.
struct Upper;

impl Plugin for Upper {
    const INFO: PluginInfo = PluginInfo::new("org.nplug.test.upper", "Upper", "1.0.0");
}

impl Transform for Upper {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self> {
        config.options(&[])?;
        Ok(Upper)
    }
    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<()> {
        for record in batch {
            out.emit(&record.to_ascii_uppercase())?;
        }
        Ok(())
    }
}

/// The instance a `greet("reenter")` calls back into (a host breaking rule H4 on a SINGLE plugin).
static REENTER: AtomicPtr<acme_greeter_t> = AtomicPtr::new(std::ptr::null_mut());
/// How many times `Greeter::greet` ran: a refused call must not reach it.
static GREET_CALLS: AtomicU64 = AtomicU64::new(0);

/// `greeting=Hello` by default. `greet("panic")` panics, `greet("reenter")` calls `add` on [`REENTER`].
struct Greeter {
    greeting: String,
    count: u64,
}

impl Plugin for Greeter {
    const INFO: PluginInfo = PluginInfo::new("org.nplug.test.greeter", "Greeter", "1.0.0");
}

impl AcmeGreeterV1 for Greeter {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self> {
        let options = config.options(&["greeting"])?;
        Ok(Greeter { greeting: options.get_or("greeting", "Hello").to_string(), count: 0 })
    }

    fn greet(&mut self, name: &str, out: &mut OutBytes<'_>) -> Result<()> {
        GREET_CALLS.fetch_add(1, Ordering::Relaxed);
        match name {
            "panic" => panic!("greeting {name} is not allowed"),
            "reenter" => {
                let raw = REENTER.load(Ordering::Relaxed);
                let add = greeter_vtable("org.nplug.test.greeter").add.unwrap();
                let mut error = ErrorBuffer::with_capacity(256);
                let mut sum = 0;
                let status = unsafe { add(raw, 1, 2, &mut sum, error.raw()) };
                let refused = error.result(status).unwrap_err();
                return Err(Error::plugin(format!("inner call: {}", refused.message)).with_code(refused.status));
            }
            _ => {}
        }
        // In three writes, so that a fixed buffer fills part-way.
        out.write_str(&self.greeting)?;
        out.write_str(", ")?;
        out.write(name.as_bytes())?;
        out.write_str("!")?;
        self.count += 1;
        Ok(())
    }

    fn add(&mut self, a: i64, b: i64) -> Result<i64> {
        a.checked_add(b).ok_or_else(|| Error::input(format!("{a} + {b} overflows int64_t")))
    }

    const HAS_COUNT: bool = true;
    fn count(&self) -> u64 {
        self.count
    }
}

/// A transform and a greeter in one plugin; each interface's `create` makes its own instance.
struct Both {
    greeted: u64,
}

impl Plugin for Both {
    const INFO: PluginInfo = PluginInfo::new("org.nplug.test.both", "Both", "1.0.0");
}

impl Transform for Both {
    fn create(_host: &Host, _config: &Config<'_>) -> Result<Self> {
        Ok(Both { greeted: 0 })
    }
    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<()> {
        for record in batch {
            out.emit_parts(&[b"both:", record])?;
        }
        Ok(())
    }
}

impl AcmeGreeterV1 for Both {
    fn create(_host: &Host, _config: &Config<'_>) -> Result<Self> {
        Ok(Both { greeted: 0 })
    }
    fn greet(&mut self, name: &str, out: &mut OutBytes<'_>) -> Result<()> {
        self.greeted += 1;
        out.write_str(&format!("Hi {name} #{}", self.greeted))
    }
    fn add(&mut self, a: i64, b: i64) -> Result<i64> {
        Ok(a.wrapping_add(b))
    }
    const HAS_COUNT: bool = true;
    fn count(&self) -> u64 {
        self.greeted
    }
}

/// NP_THREADING_THREAD_SAFE: calls on one instance may overlap; the SDK serializes them (rule P9).
struct Shared {
    greetings: u64,
}

impl Plugin for Shared {
    const INFO: PluginInfo =
        PluginInfo::new("org.nplug.test.shared", "Shared", "1.0.0").threading(Threading::ThreadSafe);
}

impl AcmeGreeterV1 for Shared {
    fn create(_host: &Host, _config: &Config<'_>) -> Result<Self> {
        Ok(Shared { greetings: 0 })
    }
    fn greet(&mut self, name: &str, out: &mut OutBytes<'_>) -> Result<()> {
        let before = self.greetings;
        std::thread::yield_now(); // a racing unsynchronized caller would lose updates here
        self.greetings = before + 1;
        out.write_str(name)
    }
    fn add(&mut self, a: i64, b: i64) -> Result<i64> {
        Ok(a + b)
    }
    const HAS_COUNT: bool = true;
    fn count(&self) -> u64 {
        self.greetings
    }
}

/// acme.greeter/1 without the optional `count`.
struct Minimal;

impl Plugin for Minimal {
    const INFO: PluginInfo = PluginInfo::new("org.nplug.test.minimal", "Minimal", "1.0.0");
}

impl AcmeGreeterV1 for Minimal {
    fn create(_host: &Host, _config: &Config<'_>) -> Result<Self> {
        Ok(Minimal)
    }
    fn greet(&mut self, name: &str, out: &mut OutBytes<'_>) -> Result<()> {
        out.write_str(name)
    }
    fn add(&mut self, a: i64, b: i64) -> Result<i64> {
        Ok(a - b)
    }
}

nplug_sdk::export_plugins!(
    Upper,
    Greeter: [AcmeGreeterV1Interface],
    Both: [TransformInterface, AcmeGreeterV1Interface],
    Minimal: [AcmeGreeterV1Interface],
    Shared: [AcmeGreeterV1Interface],
);

/// The tests share the library's init count and the statics above.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn load() -> TestLibrary {
    TestLibrary::load(np_entry).expect("the library loads")
}

fn greeter_vtable(plugin: &str) -> &'static acme_greeter_v1_t {
    let library = load();
    let (vtable, _) = library.interface(plugin, GREETER_ID);
    unsafe { &*(vtable as *const acme_greeter_v1_t) }
}

/// One acme.greeter/1 instance driven through its vtable, as a host does; destroyed on drop.
struct Instance<'l> {
    library: &'l TestLibrary,
    vtable: &'static acme_greeter_v1_t,
    raw: *mut acme_greeter_t,
    error: ErrorBuffer,
}

impl<'l> Instance<'l> {
    fn create(library: &'l TestLibrary, plugin: &str, config: &str) -> Result<Self, CallError> {
        unsafe { Self::create_raw(library, plugin, np_str(config)) }
    }

    unsafe fn create_raw(library: &'l TestLibrary, plugin: &str, config: np_str_t) -> Result<Self, CallError> {
        let (vtable, _) = library.interface(plugin, GREETER_ID);
        let vtable = unsafe { &*(vtable as *const acme_greeter_v1_t) };
        let mut error = ErrorBuffer::with_capacity(256);
        let mut raw: *mut acme_greeter_t = std::ptr::null_mut();
        let status = unsafe { (vtable.create.unwrap())(library.host().table(), config, &mut raw, error.raw()) };
        error.result(status)?;
        assert!(!raw.is_null());
        Ok(Instance { library, vtable, raw, error })
    }

    fn greet_into(&mut self, name: &[u8], out: &mut TestOutBytes) -> Result<(), CallError> {
        let name = np_str_t { ptr: name.as_ptr(), len: name.len() as u64 };
        let status = unsafe { (self.vtable.greet.unwrap())(self.raw, name, out.raw(), self.error.raw()) };
        self.error.result(status)
    }

    fn greet(&mut self, name: &str) -> Result<String, CallError> {
        let mut out = TestOutBytes::growable(1);
        self.greet_into(name.as_bytes(), &mut out)?;
        Ok(out.text().to_string())
    }

    fn add(&mut self, a: i64, b: i64) -> Result<i64, CallError> {
        let mut sum = 0;
        let status = unsafe { (self.vtable.add.unwrap())(self.raw, a, b, &mut sum, self.error.raw()) };
        self.error.result(status).map(|()| sum)
    }

    fn count(&self) -> u64 {
        unsafe { (self.vtable.count.expect("count is provided"))(self.raw) }
    }
}

impl Drop for Instance<'_> {
    fn drop(&mut self) {
        unsafe { (self.vtable.destroy.unwrap())(self.raw) };
        let _ = self.library;
    }
}

#[test]
fn descriptors_list_each_plugins_interfaces_with_their_layouts() {
    let _serial = serial();
    let library = load();
    assert_eq!(
        library.plugin_ids(),
        [
            "org.nplug.test.upper",
            "org.nplug.test.greeter",
            "org.nplug.test.both",
            "org.nplug.test.minimal",
            "org.nplug.test.shared"
        ]
    );
    assert_eq!(library.interface_ids("org.nplug.test.upper"), [NP_TRANSFORM_ID]);
    assert_eq!(library.interface_ids("org.nplug.test.greeter"), [GREETER_ID]);
    assert_eq!(library.interface_ids("org.nplug.test.both"), [NP_TRANSFORM_ID, GREETER_ID]);

    // A plugin of transforms only gives no layouts (np.transform/1 is covered by the ABI's fingerprint).
    assert!(library.plugin("org.nplug.test.upper").interface_layouts.is_null());

    let (_, transform_layout) = library.interface("org.nplug.test.both", NP_TRANSFORM_ID);
    let transform_layout = transform_layout.expect("Both has layouts");
    assert_eq!((transform_layout.fingerprint, transform_layout.report.is_null()), (0, true));

    for plugin in ["org.nplug.test.greeter", "org.nplug.test.both"] {
        let (vtable, layout) = library.interface(plugin, GREETER_ID);
        let layout = layout.expect("a greeter gives its layout");
        assert_eq!(layout.fingerprint, greeter::ACME_GREETER_V1_LAYOUT_FINGERPRINT);
        let report = unsafe { &*layout.report };
        assert_eq!(report.struct_count, 1);
        let vtable_layout = unsafe { &*report.structs };
        assert_eq!(unsafe { nplug_sdk::str_from_np(vtable_layout.name) }, Ok("acme_greeter_v1_t"));
        assert_eq!(vtable_layout.size as usize, size_of::<acme_greeter_v1_t>());
        let vtable = unsafe { &*(vtable as *const acme_greeter_v1_t) };
        assert_eq!(vtable.struct_size as usize, size_of::<acme_greeter_v1_t>());
        assert_eq!(vtable.reserved, 0);
        assert!(vtable.count.is_some(), "{plugin} provides count");
    }
    assert!(greeter_vtable("org.nplug.test.minimal").count.is_none(), "an optional function not provided is NULL");
}

#[test]
fn greet_add_and_count_work_through_the_vtable() {
    let _serial = serial();
    let library = load();
    let mut greeter = Instance::create(&library, "org.nplug.test.greeter", "greeting=Bonjour").unwrap();
    let mut out = TestOutBytes::growable(1);
    greeter.greet_into(b"world", &mut out).unwrap();
    assert_eq!(out.text(), "Bonjour, world!");
    assert!(out.reserve_calls() >= 1, "the 1-byte buffer grew through reserve");
    assert_eq!(greeter.greet("Zoë").unwrap(), "Bonjour, Zoë!");
    assert_eq!(greeter.add(2, 3), Ok(5));
    assert_eq!(greeter.count(), 2);

    let mut minimal = Instance::create(&library, "org.nplug.test.minimal", "").unwrap();
    assert_eq!(minimal.greet("x").unwrap(), "x");
    assert_eq!(minimal.add(5, 3), Ok(2));
}

#[test]
fn a_failure_is_its_status_and_message_and_the_instance_stays_usable() {
    let _serial = serial();
    let library = load();
    let mut greeter = Instance::create(&library, "org.nplug.test.greeter", "").unwrap();
    let err = greeter.add(i64::MAX, 1).unwrap_err();
    assert_eq!((err.status, err.message.as_str()), (NP_ERR_INPUT, "9223372036854775807 + 1 overflows int64_t"));
    assert_eq!(greeter.add(-1, 1), Ok(0));

    let mut sum = 7;
    let status = unsafe { (greeter.vtable.add.unwrap())(greeter.raw, 1, 1, std::ptr::null_mut(), greeter.error.raw()) };
    let err = greeter.error.result(status).unwrap_err();
    assert_eq!((err.status, err.message.as_str()), (NP_ERR_INVALID_ARGUMENT, "the argument 'out_sum' is NULL"));
    let status = unsafe { (greeter.vtable.add.unwrap())(std::ptr::null_mut(), 1, 1, &mut sum, greeter.error.raw()) };
    assert_eq!(greeter.error.result(status).unwrap_err().status, NP_ERR_INVALID_ARGUMENT);
    assert_eq!(sum, 7, "nothing is written on failure");
}

#[test]
fn invalid_utf8_is_refused_without_calling_the_method() {
    let _serial = serial();
    let library = load();
    let mut greeter = Instance::create(&library, "org.nplug.test.greeter", "").unwrap();
    let before = GREET_CALLS.load(Ordering::Relaxed);
    let mut out = TestOutBytes::growable(16);
    let err = greeter.greet_into(b"w\xFFrld", &mut out).unwrap_err();
    assert_eq!(err.status, NP_ERR_INVALID_ARGUMENT);
    assert_eq!(err.message, "the argument 'name' (text): it is not valid UTF-8 (first bad byte at offset 1)");
    assert_eq!(GREET_CALLS.load(Ordering::Relaxed), before, "the plugin's greet was not called");
    assert_eq!(out.bytes(), b"");
    assert_eq!(greeter.count(), 0);

    // A config that is not UTF-8 is NP_ERR_CONFIG, like np.transform/1's.
    let bad = b"greeting=\xC3";
    let err =
        unsafe { Instance::create_raw(&library, "org.nplug.test.greeter", np_str_t { ptr: bad.as_ptr(), len: 10 }) }
            .err()
            .unwrap();
    assert_eq!(err.status, NP_ERR_CONFIG);
    let err = Instance::create(&library, "org.nplug.test.greeter", "salutation=Hi").err().unwrap();
    assert_eq!(err.status, NP_ERR_CONFIG);
    assert!(err.message.contains("unknown config key 'salutation'"), "{}", err.message);
}

#[test]
fn a_fixed_buffer_that_is_too_small_is_out_of_memory_and_keeps_what_fit() {
    let _serial = serial();
    let library = load();
    let mut greeter = Instance::create(&library, "org.nplug.test.greeter", "").unwrap();
    let mut out = TestOutBytes::fixed(8);
    let err = greeter.greet_into(b"world", &mut out).unwrap_err();
    assert_eq!(err.status, NP_ERR_OUT_OF_MEMORY);
    assert!(err.message.contains("fixed at 8 bytes with 7 used; 12 bytes are needed"), "{}", err.message);
    assert_eq!(out.text(), "Hello, ", "what was appended before the failure stays appended");
    assert_eq!(greeter.count(), 0, "the method returned the failure before counting");

    let mut out = TestOutBytes::fixed(13);
    greeter.greet_into(b"world", &mut out).unwrap();
    assert_eq!(out.text(), "Hello, world!", "an exact fit needs no reserve");
}

#[test]
fn a_panic_is_np_err_panic_with_its_message_and_poisons_the_instance() {
    let _serial = serial();
    let library = load();
    let mut greeter = Instance::create(&library, "org.nplug.test.greeter", "").unwrap();
    greeter.greet("before").unwrap();
    let err = greeter.greet("panic").unwrap_err();
    assert_eq!(err.status, NP_ERR_PANIC);
    assert!(
        err.message.starts_with("org.nplug.test.greeter panicked in greet: greeting panic is not allowed (at "),
        "{}",
        err.message
    );
    assert!(
        library
            .host()
            .logs()
            .iter()
            .any(|(level, m)| *level == LogLevel::Error && m.contains("greeting panic is not allowed")),
        "the panic is logged at error level"
    );

    let err = greeter.add(1, 2).unwrap_err();
    assert_eq!(err.status, NP_ERR_STATE);
    assert!(
        err.message.contains("poisoned") && err.message.contains("greeting panic is not allowed"),
        "{}",
        err.message
    );
    assert_eq!(greeter.greet("after").unwrap_err().status, NP_ERR_STATE);
    assert_eq!(greeter.count(), 0, "a [leaf] on a poisoned instance returns the default");
    // Other instances are not affected; destroy of the poisoned one (on drop) is allowed.
    let mut other = Instance::create(&library, "org.nplug.test.greeter", "").unwrap();
    assert_eq!(other.add(1, 2), Ok(3));
}

#[test]
fn an_overlapping_call_on_a_single_instance_is_refused_not_raced() {
    let _serial = serial();
    let library = load();
    let mut greeter = Instance::create(&library, "org.nplug.test.greeter", "").unwrap();
    REENTER.store(greeter.raw, Ordering::Relaxed);
    let err = greeter.greet("reenter").unwrap_err();
    REENTER.store(std::ptr::null_mut(), Ordering::Relaxed);
    assert_eq!(err.code, NP_ERR_STATE, "the inner add was refused with NP_ERR_STATE");
    assert!(err.message.contains("NP_THREADING_SINGLE") && err.message.contains("rule H4"), "{}", err.message);
    assert_eq!(greeter.add(1, 2), Ok(3), "a refused overlapping call changes nothing");
}

#[test]
fn one_plugin_offers_a_transform_and_a_greeter_with_separate_instances() {
    let _serial = serial();
    let library = load();
    let mut transform = library.create("org.nplug.test.both", "").unwrap();
    assert_eq!(transform.process(&["a", "b"]).unwrap(), ["both:a", "both:b"]);
    let mut greeter = Instance::create(&library, "org.nplug.test.both", "").unwrap();
    assert_eq!(greeter.greet("x").unwrap(), "Hi x #1");
    assert_eq!(greeter.greet("y").unwrap(), "Hi y #2");
    assert_eq!(greeter.count(), 2);
    assert_eq!(greeter.add(i64::MAX, 1), Ok(i64::MIN));

    // An instance made through one interface is refused by the other's functions (and by another plugin's).
    let status = unsafe {
        (greeter.vtable.add.unwrap())(transform.raw() as *mut acme_greeter_t, 1, 1, &mut 0, greeter.error.raw())
    };
    let err = greeter.error.result(status).unwrap_err();
    assert_eq!(err.status, NP_ERR_INVALID_ARGUMENT);
    assert!(err.message.contains("not created by org.nplug.test.both through this interface"), "{}", err.message);
    let greeter_only = greeter_vtable("org.nplug.test.greeter");
    let status = unsafe { (greeter_only.add.unwrap())(greeter.raw, 1, 1, &mut 0, greeter.error.raw()) };
    assert_eq!(greeter.error.result(status).unwrap_err().status, NP_ERR_INVALID_ARGUMENT);
    assert_eq!(unsafe { (greeter_only.count.unwrap())(greeter.raw) }, 0, "a [leaf] given a foreign instance returns 0");

    // Two plugins of the same library, one per interface, are independent.
    let mut upper = library.create("org.nplug.test.upper", "").unwrap();
    assert_eq!(upper.process(&["abc"]).unwrap(), ["ABC"]);
    let mut other = Instance::create(&library, "org.nplug.test.greeter", "").unwrap();
    assert_eq!(other.greet("z").unwrap(), "Hello, z!");
}

#[test]
fn destroy_tolerates_null_and_foreign_pointers() {
    let _serial = serial();
    let library = load();
    let vtable = greeter_vtable("org.nplug.test.greeter");
    unsafe { (vtable.destroy.unwrap())(std::ptr::null_mut()) };
    let mut transform = library.create("org.nplug.test.upper", "").unwrap();
    unsafe { (vtable.destroy.unwrap())(transform.raw() as *mut acme_greeter_t) };
    assert_eq!(transform.process(&["still alive"]).unwrap(), ["STILL ALIVE"], "a foreign pointer is never freed");
}

#[test]
fn a_thread_safe_instance_serializes_overlapping_calls() {
    let _serial = serial();
    let library = load();
    let greeter = Instance::create(&library, "org.nplug.test.shared", "").unwrap();
    let (vtable, raw) = (greeter.vtable, greeter.raw as usize);
    std::thread::scope(|scope| {
        for t in 0..4 {
            scope.spawn(move || {
                let mut error = ErrorBuffer::with_capacity(256);
                for _ in 0..250 {
                    let mut out = TestOutBytes::growable(2);
                    let name = np_str(if t % 2 == 0 { "even" } else { "odd" });
                    let status =
                        unsafe { (vtable.greet.unwrap())(raw as *mut acme_greeter_t, name, out.raw(), error.raw()) };
                    error.result(status).expect("no overlapping call is refused on a THREAD_SAFE instance");
                }
            });
        }
    });
    assert_eq!(greeter.count(), 1000, "every greet ran under the instance's lock");
}
