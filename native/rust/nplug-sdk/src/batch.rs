//! A batch of input records (`np_batch_t`), read zero-copy: every record is a `&[u8]` into the host's buffer.

use std::iter::FusedIterator;

use nplug_abi::np_batch_t;

use crate::error::{Error, Result};

/// The records of one `process` call, borrowed from the host for the call.
///
/// The SDK validates the offsets once when the call arrives (`offsets[0] == 0`, never decreasing, within the address
/// space), so reading records afterwards is infallible and bounds-check-free.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    /// All record bytes: `data.len() == offsets[count]`.
    data: &'a [u8],
    /// `count + 1` validated offsets, or empty for an empty batch.
    offsets: &'a [u64],
}

impl<'a> Batch<'a> {
    /// An empty batch.
    pub const EMPTY: Batch<'static> = Batch { data: &[], offsets: &[] };

    /// A batch over Rust slices in the ABI layout (`offsets.len() == count + 1`), validated like a host's batch.
    pub fn from_parts(data: &'a [u8], offsets: &'a [u64]) -> Result<Batch<'a>> {
        if offsets.is_empty() {
            return Ok(Batch { data: &[], offsets: &[] });
        }
        let end = check_offsets(offsets)?;
        if end as usize > data.len() {
            return Err(Error::invalid_argument(format!(
                "np_batch_t: offsets[count] is {end}, past the {} data bytes",
                data.len()
            )));
        }
        Ok(Batch { data: &data[..end as usize], offsets })
    }

    /// Reads a host's `np_batch_t`.
    ///
    /// # Safety
    /// `raw` is NULL or points to a batch whose `offsets` has `count + 1` readable entries and whose `data` has
    /// `offsets[count]` readable bytes, all valid for `'a` (np_transform.h).
    pub unsafe fn from_raw(raw: *const np_batch_t) -> Result<Batch<'a>> {
        if raw.is_null() {
            return Err(Error::invalid_argument("the batch (np_batch_t*) is NULL"));
        }
        let raw = unsafe { &*raw };
        if raw.count == 0 {
            return Ok(Batch { data: &[], offsets: &[] });
        }
        if raw.offsets.is_null() {
            return Err(Error::invalid_argument(format!("np_batch_t.offsets is NULL but count is {}", raw.count)));
        }
        // count + 1 entries of 8 bytes must fit the address space.
        let entries = usize::try_from(raw.count)
            .ok()
            .and_then(|c| c.checked_add(1))
            .filter(|&n| n <= isize::MAX as usize / 8)
            .ok_or_else(|| Error::invalid_argument(format!("np_batch_t.count {} is impossibly large", raw.count)))?;
        // SAFETY: caller's contract (count + 1 entries).
        let offsets = unsafe { std::slice::from_raw_parts(raw.offsets, entries) };
        let end = check_offsets(offsets)?;
        if end > 0 && raw.data.is_null() {
            return Err(Error::invalid_argument(format!("np_batch_t.data is NULL but the records hold {end} bytes")));
        }
        let data = if end == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(raw.data, end as usize) } };
        Ok(Batch { data, offsets })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when the batch has no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record `index`, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<&'a [u8]> {
        if index < self.len() {
            // SAFETY: index + 1 < offsets.len(), offsets validated.
            Some(unsafe { self.record_unchecked(index) })
        } else {
            None
        }
    }

    /// All record bytes, concatenated.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Sum of the record lengths.
    pub fn total_bytes(&self) -> usize {
        self.data.len()
    }

    /// The first record at or after `first` whose bytes contain `needle`, or `None`. One vectorized search across
    /// the batch ([`crate::bytes`]; its records are contiguous), not one per record: a hit that straddles two records
    /// belongs to neither. Every record contains the empty needle.
    pub fn position_containing(&self, first: usize, needle: &[u8]) -> Option<usize> {
        let r = crate::bytes::find_record(crate::bytes::Path::best(), self.data, self.offsets, first, needle, false);
        (r < self.len()).then_some(r)
    }

    /// As [`Batch::position_containing`], ignoring ASCII case: `lower_needle` must be lower-cased already.
    pub fn position_containing_ascii_nocase(&self, first: usize, lower_needle: &[u8]) -> Option<usize> {
        let r =
            crate::bytes::find_record(crate::bytes::Path::best(), self.data, self.offsets, first, lower_needle, true);
        (r < self.len()).then_some(r)
    }

    /// The bytes of records `range` (contiguous) and their `range.len() + 1` offsets (relative to the batch).
    /// Panics when the range is out of bounds.
    pub(crate) fn span(&self, range: std::ops::Range<usize>) -> (&'a [u8], &'a [u64]) {
        assert!(range.start <= range.end && range.end <= self.len(), "records {range:?} of a batch of {}", self.len());
        if range.is_empty() {
            return (&[], &[]);
        }
        let offsets = &self.offsets[range.start..=range.end];
        (&self.data[offsets[0] as usize..offsets[offsets.len() - 1] as usize], offsets)
    }

    /// Iterates over the records in order.
    pub fn iter(&self) -> Records<'a> {
        Records { batch: *self, front: 0, back: self.len() }
    }

    /// SAFETY: index < self.len().
    unsafe fn record_unchecked(&self, index: usize) -> &'a [u8] {
        unsafe {
            let start = *self.offsets.get_unchecked(index) as usize;
            let end = *self.offsets.get_unchecked(index + 1) as usize;
            self.data.get_unchecked(start..end)
        }
    }
}

/// Checks `offsets[0] == 0` and that offsets never decrease; returns the last offset (the data length).
fn check_offsets(offsets: &[u64]) -> Result<u64> {
    if offsets[0] != 0 {
        return Err(Error::invalid_argument(format!("np_batch_t.offsets[0] is {}, expected 0", offsets[0])));
    }
    if let Some(i) = offsets.windows(2).position(|w| w[1] < w[0]) {
        return Err(Error::invalid_argument(format!(
            "np_batch_t.offsets decrease at record {i}: offsets[{i}] = {}, offsets[{}] = {}",
            offsets[i],
            i + 1,
            offsets[i + 1]
        )));
    }
    let end = offsets[offsets.len() - 1];
    if end > isize::MAX as u64 {
        return Err(Error::invalid_argument(format!("np_batch_t: {end} data bytes is impossibly large")));
    }
    Ok(end)
}

impl<'a> IntoIterator for &Batch<'a> {
    type Item = &'a [u8];
    type IntoIter = Records<'a>;
    fn into_iter(self) -> Records<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for Batch<'a> {
    type Item = &'a [u8];
    type IntoIter = Records<'a>;
    fn into_iter(self) -> Records<'a> {
        self.iter()
    }
}

/// Iterator over the records of a [`Batch`].
#[derive(Clone, Debug)]
pub struct Records<'a> {
    batch: Batch<'a>,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.front < self.back {
            let record = unsafe { self.batch.record_unchecked(self.front) };
            self.front += 1;
            Some(record)
        } else {
            None
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Records<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front < self.back {
            self.back -= 1;
            Some(unsafe { self.batch.record_unchecked(self.back) })
        } else {
            None
        }
    }
}

impl ExactSizeIterator for Records<'_> {}
impl FusedIterator for Records<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use nplug_abi::NP_ERR_INVALID_ARGUMENT;

    fn raw(data: &[u8], offsets: &[u64]) -> np_batch_t {
        np_batch_t { data: data.as_ptr(), offsets: offsets.as_ptr(), count: offsets.len() as u64 - 1 }
    }

    #[test]
    fn decodes_records_zero_copy() {
        let data = b"onetwothree";
        let offsets = [0u64, 3, 3, 6, 11];
        let r = raw(data, &offsets);
        let batch = unsafe { Batch::from_raw(&r) }.unwrap();
        assert_eq!(batch.len(), 4);
        let records: Vec<&[u8]> = batch.iter().collect();
        assert_eq!(records, vec![&b"one"[..], b"", b"two", b"three"]);
        assert_eq!(batch.get(3).unwrap().as_ptr(), data[6..].as_ptr(), "records point into the host buffer");
        assert_eq!(batch.get(4), None);
        assert_eq!(batch.total_bytes(), 11);
        assert_eq!(batch.iter().next_back(), Some(&b"three"[..]));
        assert_eq!(batch.iter().len(), 4);
    }

    #[test]
    fn empty_batches_are_fine_even_with_null_pointers() {
        let r = np_batch_t { data: std::ptr::null(), offsets: std::ptr::null(), count: 0 };
        let batch = unsafe { Batch::from_raw(&r) }.unwrap();
        assert!(batch.is_empty());
        assert_eq!(batch.iter().count(), 0);
        // All-empty records: data may be NULL when there are no bytes.
        let offsets = [0u64, 0, 0];
        let r = np_batch_t { data: std::ptr::null(), offsets: offsets.as_ptr(), count: 2 };
        let batch = unsafe { Batch::from_raw(&r) }.unwrap();
        assert_eq!(batch.iter().collect::<Vec<_>>(), vec![&b""[..], b""]);
    }

    #[test]
    fn rejects_malformed_batches() {
        let err = unsafe { Batch::from_raw(std::ptr::null()) }.unwrap_err();
        assert_eq!(err.status(), NP_ERR_INVALID_ARGUMENT);

        let data = b"abcdef";
        for (offsets, needle) in [(vec![1u64, 3], "offsets[0] is 1"), (vec![0u64, 4, 2], "decrease at record 1")] {
            let r = raw(data, &offsets);
            let err = unsafe { Batch::from_raw(&r) }.unwrap_err();
            assert_eq!(err.status(), NP_ERR_INVALID_ARGUMENT);
            assert!(err.message().contains(needle), "{}", err.message());
        }
        let r = np_batch_t { data: data.as_ptr(), offsets: std::ptr::null(), count: 2 };
        assert!(unsafe { Batch::from_raw(&r) }.unwrap_err().message().contains("offsets is NULL"));
        let offsets = [0u64, 2];
        let r = np_batch_t { data: std::ptr::null(), offsets: offsets.as_ptr(), count: 1 };
        assert!(unsafe { Batch::from_raw(&r) }.unwrap_err().message().contains("data is NULL"));
        let r = np_batch_t { data: data.as_ptr(), offsets: offsets.as_ptr(), count: u64::MAX };
        assert!(unsafe { Batch::from_raw(&r) }.unwrap_err().message().contains("impossibly large"));
        assert!(Batch::from_parts(b"ab", &[0, 3]).is_err(), "offsets past the data");
    }
}
