//! Checks of the arguments a host passes to an interface function (rule P6): every pointer and span is checked
//! before plugin code sees it, and a broken one is `NP_ERR_INVALID_ARGUMENT` naming the parameter, so the plugin
//! author works only with `&str`, `&[u8]` and `&mut` values.

use nplug_abi::{np_bytes_t, np_str_t};

use crate::error::{Error, Result};
use crate::strings::{bytes_from_raw, str_from_np};

/// A text parameter (`np_str_t`, UTF-8): the `&str` it holds, or `NP_ERR_INVALID_ARGUMENT` naming `name` when its
/// pointer is NULL with a non-zero length, its length does not fit the address space, or it is not UTF-8.
///
/// # Safety
/// `text.ptr` is NULL or valid for `text.len` bytes for `'a` (the host's contract for a borrowed `np_str_t`).
pub unsafe fn text_arg<'a>(name: &str, text: np_str_t) -> Result<&'a str> {
    unsafe { str_from_np(text) }.map_err(|e| Error::invalid_argument(format!("the argument '{name}' (text): {e}")))
}

/// A bytes parameter (`np_bytes_t`): the `&[u8]` it holds, or `NP_ERR_INVALID_ARGUMENT` naming `name` when its
/// pointer is NULL with a non-zero length or its length does not fit the address space. (NULL, 0) is empty.
///
/// # Safety
/// `bytes.ptr` is NULL or valid for `bytes.len` bytes for `'a`.
pub unsafe fn bytes_arg<'a>(name: &str, bytes: np_bytes_t) -> Result<&'a [u8]> {
    unsafe { bytes_from_raw(bytes.ptr, bytes.len) }
        .map_err(|e| Error::invalid_argument(format!("the argument '{name}' (bytes): {e}")))
}

/// An out-pointer parameter (`int64_t *out_sum`): the `&mut` it points to, or `NP_ERR_INVALID_ARGUMENT` naming
/// `name` when it is NULL.
///
/// # Safety
/// `out` is NULL or valid for writes of a `T`, exclusively ours for `'a` (the duration of the call).
pub unsafe fn out_arg<'a, T>(name: &str, out: *mut T) -> Result<&'a mut T> {
    // SAFETY: the caller's contract; NULL is refused.
    unsafe { out.as_mut() }.ok_or_else(|| Error::invalid_argument(format!("the argument '{name}' is NULL")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nplug_abi::NP_ERR_INVALID_ARGUMENT;

    #[test]
    fn text_bytes_and_out_pointers_are_checked_naming_the_parameter() {
        let ok = np_str_t { ptr: b"hi".as_ptr(), len: 2 };
        assert_eq!(unsafe { text_arg("name", ok) }, Ok("hi"));
        let bad = [b'a', 0xC3];
        let err = unsafe { text_arg("name", np_str_t { ptr: bad.as_ptr(), len: 2 }) }.unwrap_err();
        assert_eq!(err.status(), NP_ERR_INVALID_ARGUMENT);
        assert_eq!(err.message(), "the argument 'name' (text): it is not valid UTF-8 (first bad byte at offset 1)");

        assert_eq!(unsafe { bytes_arg("data", np_bytes_t { ptr: bad.as_ptr(), len: 2 }) }, Ok(&bad[..]));
        assert_eq!(unsafe { bytes_arg("data", np_bytes_t { ptr: std::ptr::null(), len: 0 }) }, Ok(&[][..]));
        let err = unsafe { bytes_arg("data", np_bytes_t { ptr: std::ptr::null(), len: 4 }) }.unwrap_err();
        assert_eq!(err.message(), "the argument 'data' (bytes): the pointer is NULL but the length is 4");

        let mut value = 0i64;
        *unsafe { out_arg("out_sum", &mut value) }.unwrap() = 5;
        assert_eq!(value, 5);
        let err = unsafe { out_arg::<i64>("out_sum", std::ptr::null_mut()) }.unwrap_err();
        assert_eq!((err.status(), err.message()), (NP_ERR_INVALID_ARGUMENT, "the argument 'out_sum' is NULL"));
    }
}
