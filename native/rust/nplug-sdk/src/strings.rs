//! Conversions between Rust strings and the ABI's borrowed `np_str_t` (UTF-8, pointer + length, not NUL-terminated).

use nplug_abi::np_str_t;

/// Borrows a Rust string as an `np_str_t` (valid as long as `text` is). The empty string is (NULL, 0).
pub fn np_str(text: &str) -> np_str_t {
    np_str_static(text)
}

/// `np_str` usable in constants and statics (descriptors).
pub const fn np_str_static(text: &str) -> np_str_t {
    if text.is_empty() {
        np_str_t { ptr: std::ptr::null(), len: 0 }
    } else {
        np_str_t { ptr: text.as_ptr(), len: text.len() as u64 }
    }
}

/// Why an `np_str_t` from the host could not be read as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrError {
    /// ptr is NULL but len is not 0.
    NullWithLength(u64),
    /// len does not fit the address space.
    TooLong(u64),
    /// Not UTF-8: the first invalid byte is at this offset.
    InvalidUtf8 { valid_up_to: usize },
}

impl std::fmt::Display for StrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StrError::NullWithLength(len) => write!(f, "the pointer is NULL but the length is {len}"),
            StrError::TooLong(len) => write!(f, "the length {len} is larger than the address space"),
            StrError::InvalidUtf8 { valid_up_to } => {
                write!(f, "it is not valid UTF-8 (first bad byte at offset {valid_up_to})")
            }
        }
    }
}

/// The bytes of an `np_str_t`/`np_bytes_t`-shaped span; (NULL, 0) is empty.
///
/// # Safety
/// When `ptr` is non-NULL it is valid for `len` bytes for the lifetime `'a`.
pub unsafe fn bytes_from_raw<'a>(ptr: *const u8, len: u64) -> Result<&'a [u8], StrError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(StrError::NullWithLength(len));
    }
    let len = usize::try_from(len).ok().filter(|&l| l <= isize::MAX as usize).ok_or(StrError::TooLong(len))?;
    // SAFETY: caller's contract; non-NULL, length checked against isize::MAX.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Reads an `np_str_t` as UTF-8 text, checking NULL, length and encoding.
///
/// # Safety
/// When `text.ptr` is non-NULL it is valid for `text.len` bytes for the lifetime `'a`.
pub unsafe fn str_from_np<'a>(text: np_str_t) -> Result<&'a str, StrError> {
    let bytes = unsafe { bytes_from_raw(text.ptr, text.len) }?;
    std::str::from_utf8(bytes).map_err(|e| StrError::InvalidUtf8 { valid_up_to: e.valid_up_to() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_checks() {
        let s = np_str("héllo");
        assert_eq!(unsafe { str_from_np(s) }, Ok("héllo"));
        let empty = np_str("");
        assert!(empty.ptr.is_null() && empty.len == 0);
        assert_eq!(unsafe { str_from_np(empty) }, Ok(""));
        let null = np_str_t { ptr: std::ptr::null(), len: 3 };
        assert_eq!(unsafe { str_from_np(null) }, Err(StrError::NullWithLength(3)));
        let bad = [b'a', 0xFF, b'b'];
        let bad = np_str_t { ptr: bad.as_ptr(), len: 3 };
        assert_eq!(unsafe { str_from_np(bad) }, Err(StrError::InvalidUtf8 { valid_up_to: 1 }));
        let huge = np_str_t { ptr: std::ptr::dangling::<u8>(), len: u64::MAX };
        assert_eq!(unsafe { str_from_np(huge) }, Err(StrError::TooLong(u64::MAX)));
    }
}
