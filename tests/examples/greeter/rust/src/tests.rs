//! The example through its C ABI, as a host calls it: np_entry, the descriptor, both vtables.

use nplug_abi::{NP_ERR_CONFIG, NP_ERR_INPUT, NP_ERR_INVALID_ARGUMENT, NP_TRANSFORM_ID, np_str_t};
use nplug_sdk::np_str;
use nplug_sdk::testing::{CallError, ErrorBuffer, TestLibrary, TestOutBytes};

use super::greeter::{ACME_GREETER_ID, acme_greeter_t, acme_greeter_v1_t};

const ID: &str = "com.example.greeter.rust";

fn load() -> TestLibrary {
    TestLibrary::load(super::np_entry).expect("the library loads")
}

/// An acme.greeter/1 instance, destroyed on drop.
struct Greeter {
    vtable: &'static acme_greeter_v1_t,
    raw: *mut acme_greeter_t,
    error: ErrorBuffer,
}

impl Greeter {
    fn create(library: &TestLibrary, config: &str) -> Result<Greeter, CallError> {
        let (vtable, _) = library.interface(ID, ACME_GREETER_ID);
        let vtable = unsafe { &*(vtable as *const acme_greeter_v1_t) };
        let mut error = ErrorBuffer::with_capacity(256);
        let mut raw = std::ptr::null_mut();
        let status = unsafe { (vtable.create.unwrap())(library.host().table(), np_str(config), &mut raw, error.raw()) };
        error.result(status).map(|()| Greeter { vtable, raw, error })
    }

    fn greet(&mut self, name: &[u8]) -> Result<String, CallError> {
        let mut out = TestOutBytes::growable(4);
        let name = np_str_t { ptr: name.as_ptr(), len: name.len() as u64 };
        let status = unsafe { (self.vtable.greet.unwrap())(self.raw, name, out.raw(), self.error.raw()) };
        self.error.result(status).map(|()| out.text().to_string())
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

impl Drop for Greeter {
    fn drop(&mut self) {
        unsafe { (self.vtable.destroy.unwrap())(self.raw) };
    }
}

#[test]
fn the_plugin_offers_both_interfaces_with_the_greeters_layout() {
    let library = load();
    assert_eq!(library.plugin_ids(), [ID]);
    assert_eq!(library.interface_ids(ID), [ACME_GREETER_ID, NP_TRANSFORM_ID]);
    let (_, layout) = library.interface(ID, ACME_GREETER_ID);
    let layout = layout.expect("the greeter gives its layout");
    assert_eq!(layout.fingerprint, super::greeter::ACME_GREETER_V1_LAYOUT_FINGERPRINT);
    assert!(!layout.report.is_null());
}

#[test]
fn greets_adds_and_counts() {
    let library = load();
    let mut greeter = Greeter::create(&library, "").unwrap();
    assert_eq!(greeter.greet(b"world").unwrap(), "Hello, world!");
    assert_eq!(greeter.add(2, 3), Ok(5));
    assert_eq!(greeter.count(), 1);
    let err = greeter.add(i64::MIN, -1).unwrap_err();
    assert_eq!((err.status, err.message.as_str()), (NP_ERR_INPUT, "-9223372036854775808 + -1 overflows int64_t"));
    assert_eq!(greeter.greet(b"\xFF").unwrap_err().status, NP_ERR_INVALID_ARGUMENT);
    assert_eq!(greeter.count(), 1);

    let mut french = Greeter::create(&library, "greeting=Bonjour").unwrap();
    assert_eq!(french.greet("monde".as_bytes()).unwrap(), "Bonjour, monde!");
    assert_eq!(Greeter::create(&library, "greeting=").err().unwrap().status, NP_ERR_CONFIG);
}

#[test]
fn the_transform_greets_each_record() {
    let library = load();
    let mut transform = library.create(ID, "greeting=Hi").unwrap();
    assert_eq!(transform.process(&["a", "bc"]).unwrap(), ["Hi, a!", "Hi, bc!"]);
}
