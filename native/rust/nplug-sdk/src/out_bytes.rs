//! [`OutBytes`]: a variable-size result written into the caller's `np_out_bytes_t`, exactly as np_types.h says:
//!
//! * only append: bytes go to `data[len..capacity)`, then `len` is raised; nothing below `len` is rewritten;
//! * when the data does not fit, `reserve(out, additional)` is called once for the missing room and `data` and
//!   `capacity` are re-read (the buffer may have moved); a failed `reserve` is final for the call;
//! * `reserve` NULL means a fixed buffer: data that does not fit is `NP_ERR_OUT_OF_MEMORY` naming the size needed;
//! * a failure is sticky: every later write returns it without writing, and the glue returns it from the call
//!   even if the plugin ignored it ([`OutBytes::finish`]).

use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

use nplug_abi::{NP_ERR_OUT_OF_MEMORY, NP_MIN_SIZEOF_np_out_bytes_t, NP_OK, np_out_bytes_t};

use crate::error::{Error, Result, status_name};

/// The caller's output buffer for one call. Borrowed from the caller for the call; keeps no pointer into it after.
pub struct OutBytes<'a> {
    raw: NonNull<np_out_bytes_t>,
    /// The error of a failed write: once set, nothing more is written.
    failure: Option<Error>,
    start_len: u64,
    _borrow: PhantomData<&'a mut np_out_bytes_t>,
}

impl<'a> OutBytes<'a> {
    /// Wraps the caller's buffer after checking what the caller must establish: non-NULL, `struct_size` covering
    /// the ABI's fields, `len <= capacity`, `data` non-NULL when `capacity` is not 0. A broken one is
    /// `NP_ERR_INVALID_ARGUMENT`.
    ///
    /// # Safety
    /// `raw` is NULL or a valid `np_out_bytes_t` whose `data` holds `capacity` bytes, exclusively ours for `'a`.
    pub unsafe fn from_raw(raw: *mut np_out_bytes_t) -> Result<OutBytes<'a>> {
        let raw = NonNull::new(raw).ok_or_else(|| Error::invalid_argument("the output (np_out_bytes_t*) is NULL"))?;
        // SAFETY: non-NULL; the caller's contract.
        let out = unsafe { raw.as_ref() };
        if out.struct_size < NP_MIN_SIZEOF_np_out_bytes_t {
            return Err(Error::invalid_argument(format!(
                "np_out_bytes_t.struct_size is {}, expected at least {NP_MIN_SIZEOF_np_out_bytes_t}",
                out.struct_size
            )));
        }
        check(out, "on entry")?;
        Ok(OutBytes { raw, failure: None, start_len: out.len, _borrow: PhantomData })
    }

    fn raw(&self) -> &np_out_bytes_t {
        // SAFETY: valid and ours for 'a (from_raw's contract).
        unsafe { self.raw.as_ref() }
    }

    /// Appends `bytes`, growing the caller's buffer through `reserve` when they do not fit.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        let n = bytes.len() as u64;
        let out = self.raw();
        if out.capacity - out.len < n {
            self.grow(n)?;
        }
        // SAFETY: re-read after a possible reserve; capacity - len >= n was checked, data valid for capacity bytes.
        let out = unsafe { self.raw.as_mut() };
        if n != 0 {
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.data.add(out.len as usize), bytes.len()) };
        }
        out.len += n;
        Ok(())
    }

    /// Appends UTF-8 text (what an `@returns text` function writes).
    pub fn write_str(&mut self, text: &str) -> Result<()> {
        self.write(text.as_bytes())
    }

    /// Bytes appended through this `OutBytes` so far.
    pub fn written(&self) -> u64 {
        self.raw().len - self.start_len
    }

    /// The error of a failed write during this call, if one happened.
    pub fn failure(&self) -> Option<&Error> {
        self.failure.as_ref()
    }

    /// The outcome of the plugin's method as the call's result: a failed write is the call's status even when the
    /// plugin swallowed it (np_types.h: a failed reserve is final for the call).
    pub fn finish<T>(&self, result: Result<T>) -> Result<T> {
        match (result, &self.failure) {
            (Ok(_), Some(failure)) => Err(failure.clone()),
            (result, _) => result,
        }
    }

    /// Gets room for `additional` more bytes, or records why there is none.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, additional: u64) -> Result<()> {
        let out = self.raw();
        let (len, capacity) = (out.len, out.capacity);
        let outcome = match out.reserve {
            None => Err(Error::out_of_memory(format!(
                "the output buffer is fixed at {capacity} bytes with {len} used; {} bytes are needed \
                 (np_out_bytes_t.reserve is NULL)",
                len as u128 + additional as u128
            ))),
            Some(reserve) => {
                // SAFETY: the caller's own buffer and callback, called on the caller's thread (np_types.h).
                let status = unsafe { reserve(self.raw.as_ptr(), additional) };
                if status != NP_OK {
                    let status = if status < 0 { status } else { NP_ERR_OUT_OF_MEMORY };
                    Err(Error::new(
                        status,
                        format!(
                            "the caller's output buffer could not grow by {additional} bytes: reserve returned {} \
                             ({status})",
                            status_name(status)
                        ),
                    ))
                } else {
                    let out = self.raw();
                    check(out, "after reserve").and_then(|()| {
                        if out.len < len {
                            Err(Error::invalid_argument(format!(
                                "np_out_bytes_t.reserve lowered len from {len} to {}",
                                out.len
                            )))
                        } else if out.capacity - out.len < additional {
                            Err(Error::invalid_argument(format!(
                                "np_out_bytes_t.reserve({additional}) returned NP_OK but left room for only {} bytes",
                                out.capacity - out.len
                            )))
                        } else {
                            Ok(())
                        }
                    })
                }
            }
        };
        if let Err(err) = &outcome {
            self.failure = Some(err.clone());
        }
        outcome
    }
}

impl fmt::Write for OutBytes<'_> {
    /// `write!(out, ...)` appends formatted text; a failure is kept and returned by [`OutBytes::finish`].
    fn write_str(&mut self, text: &str) -> fmt::Result {
        OutBytes::write_str(self, text).map_err(|_| fmt::Error)
    }
}

/// What the caller must keep true on entry and after each `reserve`.
fn check(out: &np_out_bytes_t, when: &str) -> Result<()> {
    if out.len > out.capacity {
        return Err(Error::invalid_argument(format!(
            "np_out_bytes_t {when}: len {} > capacity {}",
            out.len, out.capacity
        )));
    }
    if out.data.is_null() && out.capacity != 0 {
        return Err(Error::invalid_argument(format!(
            "np_out_bytes_t {when}: data is NULL but capacity is {}",
            out.capacity
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestOutBytes;
    use nplug_abi::NP_ERR_INVALID_ARGUMENT;
    use std::fmt::Write as _;

    #[test]
    fn appends_and_grows_through_reserve() {
        let mut buf = TestOutBytes::growable(2);
        buf.preset(b"ab");
        let mut out = unsafe { OutBytes::from_raw(buf.raw()) }.unwrap();
        out.write(b"cd").unwrap();
        out.write_str("é and more text than fits").unwrap();
        write!(out, "{}", 42).unwrap();
        assert_eq!(out.written(), 2 + "é and more text than fits".len() as u64 + 2);
        assert!(out.finish(Ok(())).is_ok());
        assert_eq!(buf.bytes(), "abcdé and more text than fits42".as_bytes());
        assert!(buf.reserve_calls() >= 1);
    }

    #[test]
    fn a_fixed_buffer_that_is_too_small_is_out_of_memory_naming_the_size() {
        let mut buf = TestOutBytes::fixed(4);
        let mut out = unsafe { OutBytes::from_raw(buf.raw()) }.unwrap();
        out.write(b"abc").unwrap();
        let err = out.write(b"de").unwrap_err();
        assert_eq!(err.status(), NP_ERR_OUT_OF_MEMORY);
        assert!(err.message().contains("fixed at 4 bytes with 3 used; 5 bytes are needed"), "{err}");
        // Sticky: later writes fail without writing, and a swallowed failure is still the call's result.
        assert_eq!(out.write(b"").unwrap_err(), err);
        assert_eq!(out.finish(Ok(())).unwrap_err(), err);
        assert_eq!(buf.bytes(), b"abc", "what was written before the failure stays written");
    }

    #[test]
    fn a_failing_reserve_is_final() {
        let mut buf = TestOutBytes::growable(1);
        buf.fail_reserve();
        let mut out = unsafe { OutBytes::from_raw(buf.raw()) }.unwrap();
        let err = out.write(b"xy").unwrap_err();
        assert_eq!(err.status(), NP_ERR_OUT_OF_MEMORY);
        assert!(err.message().contains("could not grow by 2 bytes"), "{err}");
        assert_eq!(buf.bytes(), b"");
    }

    #[test]
    fn broken_buffers_are_invalid_arguments() {
        let err = unsafe { OutBytes::from_raw(std::ptr::null_mut()) }.err().unwrap();
        assert_eq!(err.status(), NP_ERR_INVALID_ARGUMENT);
        let mut buf = TestOutBytes::fixed(4);
        let raw = buf.raw();
        unsafe { (*raw).struct_size = 8 };
        assert!(unsafe { OutBytes::from_raw(raw) }.err().unwrap().message().contains("struct_size is 8"));
        unsafe {
            (*raw).struct_size = NP_MIN_SIZEOF_np_out_bytes_t;
            (*raw).len = 5;
        }
        assert!(unsafe { OutBytes::from_raw(raw) }.err().unwrap().message().contains("len 5 > capacity 4"));
    }
}
