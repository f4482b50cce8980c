//! The SDK's error type and how it is written into the caller's `np_error_t` (rule P5).

use std::borrow::Cow;
use std::fmt;

use nplug_abi::{
    NP_ERR_CONFIG, NP_ERR_INPUT, NP_ERR_INVALID_ARGUMENT, NP_ERR_OUT_OF_MEMORY, NP_ERR_PLUGIN, NP_ERR_STATE,
    NP_ERR_UNSUPPORTED, np_error_t, np_status,
};

/// A failed call: a negative `np_status`, a human-readable UTF-8 message and an optional plugin-specific detail code.
///
/// Plugins return it from [`Transform`](crate::Transform) methods; the SDK writes it into the host's `np_error_t`
/// (truncated at a UTF-8 boundary) and returns the status.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    status: np_status,
    message: Cow<'static, str>,
    code: i32,
}

impl Error {
    /// An error with an explicit status. A non-negative status is a programming error and becomes `NP_ERR_PLUGIN`
    /// (a failure must never be reported as success).
    pub fn new(status: np_status, message: impl Into<Cow<'static, str>>) -> Self {
        let status = if status < 0 { status } else { NP_ERR_PLUGIN };
        Error { status, message: message.into(), code: 0 }
    }

    /// This error, or, when its message is empty, the same status with the message every SDK gives a failure without
    /// one (rule S7): `ID: OPERATION failed with NP_ERR_X (the plugin gave no message)`.
    pub(crate) fn or_default_message(self, plugin: &str, function: &str) -> Self {
        if !self.message.is_empty() {
            return self;
        }
        let message =
            format!("{plugin}: {function} failed with {} (the plugin gave no message)", status_name(self.status));
        Error { message: message.into(), ..self }
    }

    /// `NP_ERR_INVALID_ARGUMENT`: an argument broke the contract.
    pub fn invalid_argument(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(NP_ERR_INVALID_ARGUMENT, message)
    }
    /// `NP_ERR_CONFIG`: the config string is malformed or names an unknown option.
    pub fn config(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(NP_ERR_CONFIG, message)
    }
    /// `NP_ERR_UNSUPPORTED`: a requested feature is not supported.
    pub fn unsupported(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(NP_ERR_UNSUPPORTED, message)
    }
    /// `NP_ERR_OUT_OF_MEMORY`: an allocation failed.
    pub fn out_of_memory(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(NP_ERR_OUT_OF_MEMORY, message)
    }
    /// `NP_ERR_STATE`: the call is not valid in the instance's current state.
    pub fn state(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(NP_ERR_STATE, message)
    }
    /// `NP_ERR_INPUT`: a record was rejected; the instance stays usable.
    pub fn input(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(NP_ERR_INPUT, message)
    }
    /// `NP_ERR_INPUT` for record `index` of the batch (0-based): hosts read the index from `np_error_t.code`, which
    /// holds `index + 1` (interop/README.md section 7; 0 when the index is above `i32::MAX - 1`: not known).
    pub fn input_at(index: u64, message: impl Into<Cow<'static, str>>) -> Self {
        let code = if index < i32::MAX as u64 { index as i32 + 1 } else { 0 };
        Self::new(NP_ERR_INPUT, message).with_code(code)
    }
    /// `NP_ERR_PLUGIN`: the plugin failed internally; the instance stays usable.
    pub fn plugin(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(NP_ERR_PLUGIN, message)
    }

    /// Sets the plugin-specific detail code (`np_error_t.code`).
    pub fn with_code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }

    /// The negative `np_status` this error is reported as.
    pub fn status(&self) -> np_status {
        self.status
    }
    /// The message, never truncated.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The plugin-specific detail code, 0 if none.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// Writes the error into a caller-owned `np_error_t` (rule P5): never past `capacity`, truncated at a UTF-8
    /// character boundary, never empty when there is room (an empty message is replaced by the status name).
    ///
    /// # Safety
    /// `error` is NULL or points to a valid `np_error_t` whose `message` is NULL or valid for `capacity` bytes.
    pub unsafe fn write_to(&self, error: *mut np_error_t) {
        unsafe { write_error(error, self.status, &self.message, self.code) }
    }
}

/// Writes a failure into a caller-owned `np_error_t` (rule P5): `code` as given, `message` never past `capacity`,
/// truncated at a UTF-8 character boundary, never empty when there is room (an empty message becomes the status
/// name). NULL `error`, NULL `message` and capacity 0 are tolerated (nothing is written but `code`/`len`).
///
/// # Safety
/// `error` is NULL or points to a valid `np_error_t` whose `message` is NULL or valid for `capacity` bytes.
pub unsafe fn write_error(error: *mut np_error_t, status: np_status, message: &str, code: i32) {
    if error.is_null() {
        return;
    }
    // SAFETY: the caller owns *error for the duration of the call (np_types.h).
    let error = unsafe { &mut *error };
    error.code = code;
    let capacity = usize::try_from(error.capacity).unwrap_or(usize::MAX);
    if error.message.is_null() || capacity == 0 {
        error.len = 0;
        return;
    }
    let fallback;
    let message = if message.is_empty() {
        fallback = format!("{} (the plugin gave no message)", status_name(status));
        fallback.as_str()
    } else {
        message
    };
    let text = truncate_utf8(message, capacity);
    // SAFETY: message is valid for capacity bytes and text.len() <= capacity.
    unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), error.message, text.len()) };
    error.len = text.len() as u64;
}

/// The longest prefix of `text` that fits into `max` bytes and ends at a character boundary.
pub fn truncate_utf8(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The C name of a status code ("NP_ERR_INPUT"); unknown negative codes are named as such.
pub fn status_name(status: np_status) -> &'static str {
    match nplug_abi::status_name(status) {
        Some(name) => name,
        None if status < 0 => "an unknown NP_ERR_* code",
        None => "a positive (invalid) status",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", status_name(self.status), self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &status_name(self.status))
            .field("message", &self.message)
            .field("code", &self.code)
            .finish()
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use nplug_abi::NP_OK;

    fn write(capacity: usize, message: &str) -> (Vec<u8>, np_error_t) {
        let mut buf = vec![0xAAu8; capacity + 4];
        let mut err =
            np_error_t { message: buf.as_mut_ptr(), capacity: capacity as u64, len: 99, code: 0, reserved: 0 };
        unsafe { write_error(&mut err, NP_ERR_INPUT, message, 7) };
        (buf, err)
    }

    #[test]
    fn truncates_at_a_character_boundary() {
        // "é" is two bytes, "€" three: a 4-byte buffer holds "aé" (3 bytes), not half of "€".
        let (buf, err) = write(4, "aé€x");
        assert_eq!(err.len, 3);
        assert_eq!(&buf[..3], "aé".as_bytes());
        assert_eq!(&buf[3..8], &[0xAA; 5], "nothing written past the truncated text, nothing past capacity");
        assert_eq!(err.code, 7);
        assert_eq!(truncate_utf8("€", 2), "");
        assert_eq!(truncate_utf8("ab€", 5), "ab€");
        assert_eq!(truncate_utf8("ab€", 4), "ab");
    }

    #[test]
    fn never_writes_past_capacity() {
        let long = "x".repeat(1000);
        let (buf, err) = write(16, &long);
        assert_eq!(err.len, 16);
        assert!(buf[16..].iter().all(|&b| b == 0xAA));
    }

    #[test]
    fn empty_message_is_replaced_by_the_status_name() {
        let (buf, err) = write(256, "");
        let text = std::str::from_utf8(&buf[..err.len as usize]).unwrap();
        assert!(text.starts_with("NP_ERR_INPUT"), "{text}");
    }

    #[test]
    fn null_buffer_and_zero_capacity_are_tolerated() {
        unsafe { write_error(std::ptr::null_mut(), NP_ERR_INPUT, "x", 0) };
        let mut err = np_error_t { message: std::ptr::null_mut(), capacity: 10, len: 5, code: 0, reserved: 0 };
        unsafe { write_error(&mut err, NP_ERR_INPUT, "x", 0) };
        assert_eq!(err.len, 0);
    }

    #[test]
    fn a_non_negative_status_never_reports_success() {
        assert_eq!(Error::new(NP_OK, "oops").status(), NP_ERR_PLUGIN);
        assert_eq!(Error::new(5, "oops").status(), NP_ERR_PLUGIN);
        assert_eq!(Error::input("x").status(), NP_ERR_INPUT);
    }
}
