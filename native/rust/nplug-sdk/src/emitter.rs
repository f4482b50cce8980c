//! Writing output records into the host's buffers (`np_emitter_t`), exactly as the protocol says (rule P10):
//!
//! * fast path: a bounds check and a `memcpy` into host memory, no host call;
//! * `reserve` only when a record does not fit, then re-read `data`/`offsets` (the host may have moved them);
//! * only append: nothing below `data_used`/`count` is ever rewritten;
//! * a failed `reserve` is sticky: every later emit returns the same error without writing, and the SDK returns that
//!   status from the call even if the plugin ignored it.

use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use nplug_abi::{NP_OK, NP_SIZEOF_np_emitter_t_1_0, np_emitter_t};

use crate::batch::Batch;
use crate::error::{Error, Result, status_name};

/// The output of one `process`/`flush` call. Borrowed from the host for the call.
pub struct Emitter<'a> {
    raw: NonNull<np_emitter_t>,
    /// The error of a failed `reserve`: once set, nothing more is written.
    failure: Option<Error>,
    start_count: u64,
    start_used: u64,
    _borrow: PhantomData<&'a mut np_emitter_t>,
}

impl<'a> Emitter<'a> {
    /// Wraps the host's emitter after checking the invariants the host must establish (rule H5).
    ///
    /// # Safety
    /// `raw` is NULL or a valid `np_emitter_t` whose `data` holds `data_capacity` bytes and `offsets`
    /// `offsets_capacity` entries, exclusively ours for `'a` (the duration of the call).
    pub unsafe fn from_raw(raw: *mut np_emitter_t) -> Result<Emitter<'a>> {
        let raw = NonNull::new(raw).ok_or_else(|| Error::invalid_argument("the emitter (np_emitter_t*) is NULL"))?;
        let e = unsafe { raw.as_ref() };
        // Every field we touch exists since ABI 1.0.
        if e.struct_size < NP_SIZEOF_np_emitter_t_1_0 {
            return Err(Error::invalid_argument(format!(
                "np_emitter_t.struct_size is {}, expected at least {NP_SIZEOF_np_emitter_t_1_0}",
                e.struct_size
            )));
        }
        if e.reserve.is_none() {
            return Err(Error::invalid_argument("np_emitter_t.reserve is NULL"));
        }
        check_invariants(e, "on entry")?;
        Ok(Emitter { raw, failure: None, start_count: e.count, start_used: e.data_used, _borrow: PhantomData })
    }

    #[inline(always)]
    fn raw(&self) -> &np_emitter_t {
        unsafe { self.raw.as_ref() }
    }

    /// Appends one record.
    #[inline]
    pub fn emit(&mut self, record: &[u8]) -> Result<()> {
        if self.failure.is_some() {
            return Err(self.failure.clone().expect("checked"));
        }
        let n = record.len() as u64;
        let e = self.raw();
        if e.data_capacity - e.data_used < n || e.offsets_capacity - e.count < 2 {
            self.grow(n, 1)?;
        }
        // Re-read after a possible reserve: data and offsets may have moved.
        let e = unsafe { self.raw.as_mut() };
        unsafe {
            if n != 0 {
                std::ptr::copy_nonoverlapping(record.as_ptr(), e.data.add(e.data_used as usize), record.len());
            }
            e.data_used += n;
            e.count += 1;
            *e.offsets.add(e.count as usize) = e.data_used;
        }
        Ok(())
    }

    /// Appends records `range` of `batch` unchanged, as one block: one room check, one copy of their bytes (the records
    /// of a batch are contiguous), their offsets shifted to where the block lands. The batch-level way to pass records
    /// through (a filter's run of kept records, a pass-through stage). Panics when `range` is out of bounds.
    pub fn emit_records(&mut self, batch: &Batch<'_>, range: std::ops::Range<usize>) -> Result<()> {
        self.emit_records_with(batch, range, |src, dst| {
            // SAFETY: dst has src.len() bytes (emit_records_with's contract) and is host memory, not src's.
            unsafe { std::ptr::copy(src.as_ptr(), dst.as_mut_ptr() as *mut u8, src.len()) };
        })
    }

    /// As [`Emitter::emit_records`], with `write(src, dst)` producing the block's bytes: `dst` (host memory) has
    /// exactly `src.len()` bytes and `write` must fill all of them (records keep their lengths), e.g. with
    /// [`crate::bytes::ascii_upper_into`]. Bytes it leaves unwritten are emitted with whatever the host's buffer held.
    pub fn emit_records_with(
        &mut self,
        batch: &Batch<'_>,
        range: std::ops::Range<usize>,
        write: impl FnOnce(&[u8], &mut [MaybeUninit<u8>]),
    ) -> Result<()> {
        if self.failure.is_some() {
            return Err(self.failure.clone().expect("checked"));
        }
        let (src, offsets) = batch.span(range);
        if offsets.len() < 2 {
            return Ok(());
        }
        let (bytes, records) = (src.len() as u64, (offsets.len() - 1) as u64);
        let e = self.raw();
        if e.data_capacity - e.data_used < bytes || e.offsets_capacity - e.count - 1 < records {
            self.grow(bytes, records)?;
        }
        // Re-read after a possible reserve: data and offsets may have moved.
        let e = unsafe { self.raw.as_mut() };
        if !src.is_empty() {
            // SAFETY: room for `bytes` at data + data_used was checked or reserved above; MaybeUninit needs no init.
            let dst = unsafe {
                std::slice::from_raw_parts_mut(e.data.add(e.data_used as usize) as *mut MaybeUninit<u8>, src.len())
            };
            write(src, dst);
        }
        let shift = e.data_used.wrapping_sub(offsets[0]); // modulo 2^64: the sums below wrap back
        // SAFETY: room for `records` more offsets after count was checked or reserved above.
        let out = unsafe { std::slice::from_raw_parts_mut(e.offsets.add(e.count as usize + 1), records as usize) };
        for (o, &i) in out.iter_mut().zip(&offsets[1..]) {
            *o = i.wrapping_add(shift);
        }
        e.count += records;
        e.data_used += bytes;
        Ok(())
    }

    /// Appends one record made of several parts (no intermediate buffer).
    pub fn emit_parts(&mut self, parts: &[&[u8]]) -> Result<()> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        let mut slot = self.record(total)?;
        for part in parts {
            slot.push(part)?;
        }
        slot.commit();
        Ok(())
    }

    /// Makes sure `extra_bytes` more bytes and `extra_records` more records fit without a host call (calls
    /// `reserve` only when they do not fit already). Useful before a loop of small emits.
    pub fn reserve(&mut self, extra_bytes: usize, extra_records: usize) -> Result<()> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        let e = self.raw();
        let (bytes, records) = (extra_bytes as u64, extra_records as u64);
        if e.data_capacity - e.data_used < bytes || e.offsets_capacity - e.count - 1 < records {
            self.grow(bytes, records)?;
        }
        Ok(())
    }

    /// Starts a record written in place into host memory, of at most `max_len` bytes (room is reserved now, so
    /// nothing moves while the record is written). Commit it with [`RecordSlot::commit`]; dropping the slot
    /// without committing emits nothing.
    pub fn record(&mut self, max_len: usize) -> Result<RecordSlot<'_, 'a>> {
        self.reserve(max_len, 1)?;
        Ok(RecordSlot { emitter: self, len: 0, capacity: max_len })
    }

    /// Records in the host's emitter (including any from before this call).
    pub fn count(&self) -> u64 {
        self.raw().count
    }

    /// Bytes used in the host's emitter (including any from before this call).
    pub fn bytes_used(&self) -> u64 {
        self.raw().data_used
    }

    /// Records and bytes appended through this `Emitter` so far.
    pub fn emitted(&self) -> (u64, u64) {
        let e = self.raw();
        (e.count - self.start_count, e.data_used - self.start_used)
    }

    /// True when `bytes` lies (partly) inside the host's output buffer: a host that passes the same memory as input
    /// and output would have the plugin overwrite what it reads.
    pub(crate) fn overlaps(&self, bytes: &[u8]) -> bool {
        let e = self.raw();
        if bytes.is_empty() || e.data_capacity == 0 {
            return false;
        }
        let (out_start, out_end) = (e.data as usize, e.data as usize + e.data_capacity as usize);
        let (in_start, in_end) = (bytes.as_ptr() as usize, bytes.as_ptr() as usize + bytes.len());
        in_start < out_end && out_start < in_end
    }

    /// The error of a failed `reserve`, if one happened during this call.
    pub fn failure(&self) -> Option<&Error> {
        self.failure.as_ref()
    }

    /// Asks the host for room, then re-reads and re-checks everything it could have changed.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, extra_bytes: u64, extra_records: u64) -> Result<()> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        let reserve = self.raw().reserve.expect("checked in from_raw");
        // SAFETY: the host's own emitter and callback; [same thread as the call].
        let status = unsafe { reserve(self.raw.as_ptr(), extra_bytes, extra_records) };
        let outcome = if status != NP_OK {
            Err(Error::new(
                status,
                format!(
                    "the host's emitter could not make room for {extra_bytes} more bytes and {extra_records} more \
                     records: reserve returned {} ({status})",
                    status_name(status)
                ),
            ))
        } else {
            let e = self.raw();
            check_invariants(e, "after reserve").and_then(|()| {
                if e.data_capacity - e.data_used < extra_bytes || e.offsets_capacity - e.count - 1 < extra_records {
                    Err(Error::invalid_argument(format!(
                        "np_emitter_t.reserve({extra_bytes}, {extra_records}) returned NP_OK but left room for only {} \
                         bytes and {} records (rule H5)",
                        e.data_capacity - e.data_used,
                        e.offsets_capacity - e.count - 1
                    )))
                } else {
                    Ok(())
                }
            })
        };
        if let Err(err) = &outcome {
            self.failure = Some(err.clone());
        }
        outcome
    }
}

/// The invariants a host establishes before each call and keeps after `reserve` (np_transform.h, rule H5).
fn check_invariants(e: &np_emitter_t, when: &str) -> Result<()> {
    let fail = |what: String| Err(Error::invalid_argument(format!("np_emitter_t {when}: {what} (rule H5)")));
    if e.offsets.is_null() {
        return fail("offsets is NULL".into());
    }
    if e.offsets_capacity == 0 || e.offsets_capacity - 1 < e.count {
        return fail(format!("offsets_capacity {} < count + 1 = {}", e.offsets_capacity, e.count as u128 + 1));
    }
    if e.data_used > e.data_capacity {
        return fail(format!("data_used {} > data_capacity {}", e.data_used, e.data_capacity));
    }
    if e.data.is_null() && e.data_capacity != 0 {
        return fail(format!("data is NULL but data_capacity is {}", e.data_capacity));
    }
    if e.data_capacity > isize::MAX as u64 || e.offsets_capacity > (isize::MAX as u64) / 8 {
        return fail("a capacity is larger than the address space".into());
    }
    // SAFETY: count < offsets_capacity, checked above.
    let last = unsafe { *e.offsets.add(e.count as usize) };
    if last != e.data_used {
        return fail(format!("offsets[count] = {last} but data_used = {}", e.data_used));
    }
    Ok(())
}

/// A record being written in place into the host's buffer; see [`Emitter::record`].
pub struct RecordSlot<'e, 'a> {
    emitter: &'e mut Emitter<'a>,
    len: usize,
    capacity: usize,
}

impl RecordSlot<'_, '_> {
    fn base(&mut self) -> *mut u8 {
        let e = unsafe { self.emitter.raw.as_mut() };
        // SAFETY: room for capacity bytes at data + data_used was reserved by Emitter::record.
        unsafe { e.data.add(e.data_used as usize) }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The maximum record length reserved.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The bytes written so far.
    pub fn as_slice(&mut self) -> &[u8] {
        let (base, len) = (self.base(), self.len);
        if len == 0 {
            return &[];
        }
        unsafe { std::slice::from_raw_parts(base, len) }
    }

    /// Appends bytes; more than the reserved capacity is an `NP_ERR_PLUGIN` error (nothing is written).
    pub fn push(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.len() > self.capacity - self.len {
            return Err(Error::plugin(format!(
                "record slot overflow: {} bytes written, {} more requested, {} reserved",
                self.len,
                bytes.len(),
                self.capacity
            )));
        }
        if !bytes.is_empty() {
            let dst = unsafe { self.base().add(self.len) };
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len()) };
            self.len += bytes.len();
        }
        Ok(())
    }

    /// The unwritten rest of the reserved room, to fill directly; then call [`RecordSlot::set_len`].
    pub fn spare_capacity_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        let spare = self.capacity - self.len;
        if spare == 0 {
            return &mut [];
        }
        let start = unsafe { self.base().add(self.len) } as *mut MaybeUninit<u8>;
        unsafe { std::slice::from_raw_parts_mut(start, spare) }
    }

    /// Sets the record length after writing into [`RecordSlot::spare_capacity_mut`].
    ///
    /// # Safety
    /// `len <= capacity`, and the first `len` bytes were initialised.
    pub unsafe fn set_len(&mut self, len: usize) {
        debug_assert!(len <= self.capacity);
        self.len = len;
    }

    /// Emits the record.
    pub fn commit(self) {
        let e = unsafe { self.emitter.raw.as_mut() };
        e.data_used += self.len as u64;
        e.count += 1;
        // SAFETY: room for one more offset was reserved by Emitter::record.
        unsafe { *e.offsets.add(e.count as usize) = e.data_used };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestEmitter;
    use nplug_abi::{NP_ERR_INVALID_ARGUMENT, NP_ERR_OUT_OF_MEMORY};

    fn records(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("record-{i}-{}", "x".repeat(i % 7)).into_bytes()).collect()
    }

    #[test]
    fn small_buffers_force_many_reserves_and_moves() {
        // Capacity 4 bytes / 2 offsets, growing by at most what is asked: nearly every emit reserves, and every
        // reserve moves both buffers, so a stale pointer would corrupt the output.
        let mut out = TestEmitter::with_capacity(4, 2).exact_growth();
        let input = records(200);
        {
            let mut emitter = out.emitter();
            for r in &input {
                emitter.emit(r).unwrap();
            }
            assert_eq!(emitter.emitted(), (200, input.iter().map(|r| r.len() as u64).sum()));
        }
        assert_eq!(out.records(), input);
        assert!(out.reserve_calls() >= 100, "reserve was called {} times", out.reserve_calls());
        out.check_invariants();
    }

    #[test]
    fn emit_records_copies_runs_as_blocks_after_earlier_records() {
        let input = records(50);
        let mut offsets = vec![0u64];
        let mut data = Vec::new();
        for r in &input {
            data.extend_from_slice(r);
            offsets.push(data.len() as u64);
        }
        let batch = Batch::from_parts(&data, &offsets).unwrap();
        // Tiny buffers that move on every reserve; a record emitted first so that the offsets must be shifted.
        let mut out = TestEmitter::with_capacity(4, 2).exact_growth();
        {
            let mut emitter = out.emitter();
            emitter.emit(b"first").unwrap();
            emitter.emit_records(&batch, 3..10).unwrap();
            emitter.emit_records(&batch, 10..10).unwrap(); // an empty run emits nothing
            emitter
                .emit_records_with(&batch, 40..50, |src, dst| {
                    crate::bytes::ascii_upper_into(src, dst);
                })
                .unwrap();
            assert_eq!(emitter.emitted().0, 1 + 7 + 10);
        }
        let mut want = vec![b"first".to_vec()];
        want.extend(input[3..10].iter().cloned());
        want.extend(input[40..50].iter().map(|r| r.to_ascii_uppercase()));
        assert_eq!(out.records(), want);
        out.check_invariants();
        assert_eq!(batch.position_containing(0, b"record-4-"), Some(4));
        assert_eq!(batch.position_containing(5, b"4-"), Some(14));
        assert_eq!(batch.position_containing(0, b"xrec"), None); // only across records
        assert_eq!(batch.position_containing_ascii_nocase(0, b"record-49-"), Some(49));
    }

    #[test]
    fn emit_records_stops_at_a_failed_reserve_and_emits_nothing() {
        let data = b"aaaabbbb";
        let offsets = [0u64, 4, 8];
        let batch = Batch::from_parts(data, &offsets).unwrap();
        let mut out = TestEmitter::with_capacity(2, 2).fail_reserve_after(0);
        {
            let mut emitter = out.emitter();
            let err = emitter.emit_records(&batch, 0..2).unwrap_err();
            assert_eq!(err.status(), NP_ERR_OUT_OF_MEMORY);
            assert!(emitter.emit_records(&batch, 0..1).is_err()); // sticky
        }
        assert!(out.records().is_empty());
    }

    #[test]
    fn no_reserve_when_everything_fits() {
        let mut out = TestEmitter::with_capacity(1024, 64);
        {
            let mut emitter = out.emitter();
            for r in records(20) {
                emitter.emit(&r).unwrap();
            }
        }
        assert_eq!(out.reserve_calls(), 0);
        assert_eq!(out.records().len(), 20);
    }

    #[test]
    fn empty_records_and_zero_capacity() {
        let mut out = TestEmitter::with_capacity(0, 1);
        {
            let mut emitter = out.emitter();
            emitter.emit(b"").unwrap();
            emitter.emit(b"").unwrap();
            emitter.emit(b"a").unwrap();
        }
        assert_eq!(out.records(), vec![b"".to_vec(), b"".to_vec(), b"a".to_vec()]);
    }

    #[test]
    fn appends_after_records_already_in_the_emitter() {
        let mut out = TestEmitter::with_capacity(8, 4);
        out.emitter().emit(b"first").unwrap();
        {
            let mut emitter = out.emitter();
            assert_eq!(emitter.count(), 1);
            emitter.emit(b"second").unwrap();
            assert_eq!(emitter.emitted(), (1, 6));
        }
        assert_eq!(out.records(), vec![b"first".to_vec(), b"second".to_vec()]);
    }

    #[test]
    fn failed_reserve_stops_and_is_sticky() {
        let mut out = TestEmitter::with_capacity(8, 8).fail_reserve_after(0);
        let mut emitter = out.emitter();
        emitter.emit(b"fits").unwrap();
        let err = emitter.emit(b"does not fit").unwrap_err();
        assert_eq!(err.status(), NP_ERR_OUT_OF_MEMORY);
        assert!(err.message().contains("reserve returned NP_ERR_OUT_OF_MEMORY"), "{}", err.message());
        // A record that would fit is refused too: the plugin must stop (rule P10).
        assert_eq!(emitter.emit(b"ab").unwrap_err().status(), NP_ERR_OUT_OF_MEMORY);
        assert!(emitter.failure().is_some());
        drop(emitter);
        assert_eq!(out.records(), vec![b"fits".to_vec()]);
        assert_eq!(out.reserve_calls(), 1, "no second reserve after a failure");
    }

    #[test]
    fn a_host_that_lies_in_reserve_is_caught() {
        let mut out = TestEmitter::with_capacity(2, 2).lying_reserve();
        let mut emitter = out.emitter();
        let err = emitter.emit(b"too long").unwrap_err();
        assert_eq!(err.status(), NP_ERR_INVALID_ARGUMENT);
        assert!(err.message().contains("returned NP_OK but left room"), "{}", err.message());
    }

    #[test]
    fn broken_invariants_are_rejected_on_entry() {
        let mut out = TestEmitter::with_capacity(8, 4);
        let raw = out.raw_mut();
        raw.data_used = 3; // offsets[0] is 0 but data_used says 3
        let err = unsafe { Emitter::from_raw(raw) }.err().unwrap();
        assert!(err.message().contains("offsets[count] = 0 but data_used = 3"), "{}", err.message());
        raw.data_used = 0;
        raw.count = 4; // needs 5 offsets
        let err = unsafe { Emitter::from_raw(raw) }.err().unwrap();
        assert!(err.message().contains("offsets_capacity 4 < count + 1 = 5"), "{}", err.message());
        raw.count = 0;
        raw.reserve = None;
        let err = unsafe { Emitter::from_raw(raw) }.err().unwrap();
        assert!(err.message().contains("reserve is NULL"), "{}", err.message());
        assert!(unsafe { Emitter::from_raw(std::ptr::null_mut()) }.is_err());
    }

    #[test]
    fn in_place_records() {
        let mut out = TestEmitter::with_capacity(4, 2).exact_growth();
        {
            let mut emitter = out.emitter();
            let mut slot = emitter.record(10).unwrap();
            slot.push(b"hello").unwrap();
            let spare = slot.spare_capacity_mut();
            spare[0].write(b'!');
            unsafe { slot.set_len(6) };
            assert_eq!(slot.as_slice(), b"hello!");
            assert!(slot.push(b"12345").is_err(), "past the reserved room");
            slot.commit();
            // Abandoned slot: nothing emitted.
            {
                let mut abandoned = emitter.record(3).unwrap();
                abandoned.push(b"xyz").unwrap();
            }
            emitter.emit_parts(&[b"a", b"", b"bc"]).unwrap();
        }
        assert_eq!(out.records(), vec![b"hello!".to_vec(), b"abc".to_vec()]);
        out.check_invariants();
    }
}
