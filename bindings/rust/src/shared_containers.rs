//! A dict and a list of byte strings in shared memory, used in place by
//! every process (mproc/shared_containers.h): Python's `Manager().dict()`
//! and `Manager().list()` without the manager process.
//!
//! Reads take no lock and make no system call; a process killed in the
//! middle of an update leaves the container whole (the update happened or
//! did not). A container grows up to the limit set at creation; an update
//! beyond it fails with [`ErrorKind::Full`](crate::ErrorKind::Full) and
//! changes nothing.

use core::ffi::{c_char, c_int, c_void};
use std::fmt;
use std::ptr;

use crate::args::{Args, ArgsRef};
use crate::error::{check, code, Error, ErrorKind, Result};
use crate::ffi::{mproc_args_t, mproc_msg_t};
use crate::handle::handle;
use crate::message::Message;
use crate::shared::{Naming, SharedOptions};
use crate::util::{create, cstring, handle_name, out};

/// The raw declarations of mproc/shared_containers.h.
#[allow(non_camel_case_types, missing_debug_implementations)]
mod raw {
    use super::*;

    macro_rules! opaque {
        ($($name:ident),*) => {
            $(
                #[repr(C)]
                pub struct $name {
                    _private: [u8; 0],
                    _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
                }
            )*
        };
    }
    opaque!(mproc_dict_t, mproc_list_t, mproc_container_opts_t, mproc_items_t);

    extern "C" {
        pub fn mproc_container_opts_new(out: *mut *mut mproc_container_opts_t) -> c_int;
        pub fn mproc_container_opts_free(opts: *mut mproc_container_opts_t);
        pub fn mproc_container_opts_set_limit(opts: *mut mproc_container_opts_t, bytes: usize)
            -> c_int;
        pub fn mproc_container_opts_set_named(opts: *mut mproc_container_opts_t, named: c_int)
            -> c_int;
        pub fn mproc_container_opts_set_name(
            opts: *mut mproc_container_opts_t,
            name: *const c_char,
        ) -> c_int;

        pub fn mproc_items_count(items: *const mproc_items_t, count: *mut usize) -> c_int;
        pub fn mproc_items_key(
            items: *const mproc_items_t,
            index: usize,
            data: *mut *const c_void,
            len: *mut usize,
        ) -> c_int;
        pub fn mproc_items_value(
            items: *const mproc_items_t,
            index: usize,
            data: *mut *const c_void,
            len: *mut usize,
        ) -> c_int;
        pub fn mproc_items_free(items: *mut mproc_items_t);

        pub fn mproc_dict_new(
            out: *mut *mut mproc_dict_t,
            opts: *const mproc_container_opts_t,
        ) -> c_int;
        pub fn mproc_dict_open(out: *mut *mut mproc_dict_t, name: *const c_char) -> c_int;
        pub fn mproc_dict_set(
            d: *mut mproc_dict_t,
            key: *const c_void,
            klen: usize,
            value: *const c_void,
            vlen: usize,
        ) -> c_int;
        pub fn mproc_dict_add(
            d: *mut mproc_dict_t,
            key: *const c_void,
            klen: usize,
            value: *const c_void,
            vlen: usize,
        ) -> c_int;
        pub fn mproc_dict_replace(
            d: *mut mproc_dict_t,
            key: *const c_void,
            klen: usize,
            expected: *const c_void,
            elen: usize,
            value: *const c_void,
            vlen: usize,
        ) -> c_int;
        pub fn mproc_dict_get_into(
            d: *const mproc_dict_t,
            key: *const c_void,
            klen: usize,
            buf: *mut c_void,
            cap: usize,
            len: *mut usize,
        ) -> c_int;
        pub fn mproc_dict_contains(
            d: *const mproc_dict_t,
            key: *const c_void,
            klen: usize,
            found: *mut c_int,
        ) -> c_int;
        pub fn mproc_dict_pop(
            d: *mut mproc_dict_t,
            key: *const c_void,
            klen: usize,
            out: *mut *mut mproc_msg_t,
        ) -> c_int;
        pub fn mproc_dict_len(d: *const mproc_dict_t, n: *mut usize) -> c_int;
        pub fn mproc_dict_clear(d: *mut mproc_dict_t) -> c_int;
        pub fn mproc_dict_items(d: *const mproc_dict_t, out: *mut *mut mproc_items_t) -> c_int;
        pub fn mproc_dict_keys(d: *const mproc_dict_t, out: *mut *mut mproc_items_t) -> c_int;
        pub fn mproc_dict_usage(d: *const mproc_dict_t, used: *mut usize, limit: *mut usize)
            -> c_int;
        pub fn mproc_dict_check(d: *const mproc_dict_t) -> c_int;
        pub fn mproc_dict_name(d: *const mproc_dict_t, name: *mut *const c_char) -> c_int;
        pub fn mproc_dict_free(d: *mut mproc_dict_t);
        pub fn mproc_args_add_dict(args: *mut mproc_args_t, d: *mut mproc_dict_t) -> c_int;
        pub fn mproc_args_get_dict(
            args: *const mproc_args_t,
            index: usize,
            out: *mut *mut mproc_dict_t,
        ) -> c_int;

        pub fn mproc_list_new(
            out: *mut *mut mproc_list_t,
            opts: *const mproc_container_opts_t,
        ) -> c_int;
        pub fn mproc_list_open(out: *mut *mut mproc_list_t, name: *const c_char) -> c_int;
        pub fn mproc_list_append(l: *mut mproc_list_t, value: *const c_void, len: usize) -> c_int;
        pub fn mproc_list_insert(
            l: *mut mproc_list_t,
            index: i64,
            value: *const c_void,
            len: usize,
        ) -> c_int;
        pub fn mproc_list_set(
            l: *mut mproc_list_t,
            index: i64,
            value: *const c_void,
            len: usize,
        ) -> c_int;
        pub fn mproc_list_get_into(
            l: *const mproc_list_t,
            index: i64,
            buf: *mut c_void,
            cap: usize,
            len: *mut usize,
        ) -> c_int;
        pub fn mproc_list_pop(l: *mut mproc_list_t, index: i64, out: *mut *mut mproc_msg_t)
            -> c_int;
        pub fn mproc_list_len(l: *const mproc_list_t, n: *mut usize) -> c_int;
        pub fn mproc_list_clear(l: *mut mproc_list_t) -> c_int;
        pub fn mproc_list_items(l: *const mproc_list_t, out: *mut *mut mproc_items_t) -> c_int;
        pub fn mproc_list_usage(l: *const mproc_list_t, used: *mut usize, limit: *mut usize)
            -> c_int;
        pub fn mproc_list_check(l: *const mproc_list_t) -> c_int;
        pub fn mproc_list_name(l: *const mproc_list_t, name: *mut *const c_char) -> c_int;
        pub fn mproc_list_free(l: *mut mproc_list_t);
        pub fn mproc_args_add_list(args: *mut mproc_args_t, l: *mut mproc_list_t) -> c_int;
        pub fn mproc_args_get_list(
            args: *const mproc_args_t,
            index: usize,
            out: *mut *mut mproc_list_t,
        ) -> c_int;
    }
}

/// `MPROC_ARG_DICT` and `MPROC_ARG_LIST` (mproc/args.h).
pub(crate) const MPROC_ARG_DICT: crate::ffi::mproc_arg_type_t = 15;
pub(crate) const MPROC_ARG_LIST: crate::ffi::mproc_arg_type_t = 16;

/// The C library's default limit (MPROC_CONTAINER_DEFAULT_LIMIT): 1 GiB of
/// address space, not of memory.
pub const CONTAINER_DEFAULT_LIMIT: usize = 1 << 30;

/// How a [`SharedDict`] or [`SharedList`] is created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerOptions {
    limit: Option<usize>,
    naming: SharedOptions,
}

impl ContainerOptions {
    /// Anonymous, with the default limit.
    pub fn new() -> ContainerOptions {
        ContainerOptions::default()
    }

    /// The bytes it may grow to (entries with their headers, and its table
    /// or array): 4096 to 64 GiB less a page.
    pub fn limit(mut self, bytes: usize) -> ContainerOptions {
        self.limit = Some(bytes);
        self
    }

    /// Named with a fresh, unguessable name.
    pub fn named(mut self) -> ContainerOptions {
        self.naming = SharedOptions::named();
        self
    }

    /// Named `name`, for `open` in unrelated processes.
    pub fn name(mut self, name: impl Into<String>) -> ContainerOptions {
        self.naming = SharedOptions::with_name(name);
        self
    }

    fn to_raw(&self) -> Result<RawOptions> {
        // SAFETY: valid out-pointer.
        let raw = RawOptions(create(|o| unsafe { raw::mproc_container_opts_new(o) })?.as_ptr());
        // SAFETY (every call below): `raw.0` is a live options object.
        if let Some(bytes) = self.limit {
            check(unsafe { raw::mproc_container_opts_set_limit(raw.0, bytes) })?;
        }
        match &self.naming.naming {
            Naming::Anonymous => {}
            Naming::Random => check(unsafe { raw::mproc_container_opts_set_named(raw.0, 1) })?,
            Naming::Given(name) => {
                let name = cstring("name", name)?;
                check(unsafe { raw::mproc_container_opts_set_name(raw.0, name.as_ptr()) })?
            }
        }
        Ok(raw)
    }
}

struct RawOptions(*mut raw::mproc_container_opts_t);

impl Drop for RawOptions {
    fn drop(&mut self) {
        // SAFETY: created by mproc_container_opts_new, freed once here.
        unsafe { raw::mproc_container_opts_free(self.0) }
    }
}

/// What SharedDict and SharedList have alike: creating, opening by name,
/// usage, the structure check, the name and Debug.
macro_rules! container_common {
    ($t:ident, $what:literal, $new:ident, $open:ident, $usage:ident, $check:ident, $name:ident) => {
        impl $t {
            #[doc = concat!("An anonymous ", $what, " with the default limit.")]
            pub fn new() -> Result<$t> {
                $t::with_options(&ContainerOptions::new())
            }

            pub fn with_options(opts: &ContainerOptions) -> Result<$t> {
                let o = opts.to_raw()?;
                // SAFETY: valid out-pointer and live options.
                create(|out| unsafe { raw::$new(out, o.0) }).map($t::from_nonnull)
            }

            #[doc = concat!("Opens a named ", $what, ".")]
            pub fn open(name: &str) -> Result<$t> {
                let name = cstring("name", name)?;
                // SAFETY: valid out-pointer and C string.
                create(|out| unsafe { raw::$open(out, name.as_ptr()) }).map($t::from_nonnull)
            }

            /// (bytes in use, the limit).
            pub fn usage(&self) -> Result<(usize, usize)> {
                let (mut used, mut limit) = (0usize, 0usize);
                // SAFETY: live handle, valid out-pointers.
                check(unsafe { raw::$usage(self.as_raw(), &mut used, &mut limit) })?;
                Ok((used, limit))
            }

            /// Walks the whole structure: `Corrupt` if it does not check out.
            pub fn check(&self) -> Result<()> {
                // SAFETY: live handle.
                check(unsafe { raw::$check(self.as_raw()) })
            }

            #[doc = concat!("The name of a named ", $what, ", \"\" for an anonymous one.")]
            pub fn name(&self) -> &str {
                // SAFETY: the string lives as long as the handle, which `self` borrows.
                unsafe { handle_name(raw::$name, self.as_raw()) }
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t)).field("name", &self.name()).finish()
            }
        }
    };
}

/// Reads a value with `get_into`: a first guess, then the exact size (and
/// again if another process made it larger in between).
fn read_value(mut get: impl FnMut(*mut c_void, usize, *mut usize) -> c_int) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; 128];
    loop {
        let mut len = 0usize;
        match get(buf.as_mut_ptr().cast(), buf.len(), &mut len) {
            0 => {
                buf.truncate(len.min(buf.len()));
                return Ok(buf);
            }
            code::ETOOBIG => buf.resize(len, 0),
            rc => return Err(Error::last(rc)),
        }
    }
}

/// `Ok(None)` for `absent`, the error for any other failure.
fn optional<T>(result: Result<T>, absent: ErrorKind) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == absent => Ok(None),
        Err(e) => Err(e),
    }
}

fn taken(m: *mut mproc_msg_t) -> Result<Vec<u8>> {
    let m = ptr::NonNull::new(m).ok_or_else(|| {
        Error::new(ErrorKind::Internal, "the library reported success but returned no message")
    })?;
    Ok(Message::from_nonnull(m).to_vec())
}

handle!(
    /// A snapshot of a container's entries, taken at one moment: iterate
    /// it as `(key, value)` byte slices (a list's keys are empty).
    Items,
    raw::mproc_items_t,
    raw::mproc_items_free
);

impl Items {
    pub fn len(&self) -> usize {
        // SAFETY: live handle, valid out-pointer (cannot fail on a live one).
        out(|n| unsafe { raw::mproc_items_count(self.as_raw(), n) }).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `i` (None past the end).
    pub fn get(&self, i: usize) -> Option<(&[u8], &[u8])> {
        Some((self.part(raw::mproc_items_key, i)?, self.part(raw::mproc_items_value, i)?))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    fn part(
        &self,
        f: unsafe extern "C" fn(*const raw::mproc_items_t, usize, *mut *const c_void, *mut usize) -> c_int,
        i: usize,
    ) -> Option<&[u8]> {
        let mut data: *const c_void = ptr::null();
        let mut len = 0usize;
        // SAFETY: live handle, valid out-pointers.
        if unsafe { f(self.as_raw(), i, &mut data, &mut len) } != 0 {
            return None;
        }
        if len == 0 {
            return Some(&[]);
        }
        // SAFETY: shared_containers.h: valid while the snapshot lives,
        // which `self` borrows; never written.
        Some(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) })
    }
}

impl fmt::Debug for Items {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").field("len", &self.len()).finish()
    }
}

handle!(
    /// Byte strings to byte strings in shared memory.
    ///
    /// ```no_run
    /// # fn main() -> mproc::Result<()> {
    /// let d = mproc::SharedDict::new()?;
    /// d.set(b"tickets", b"3")?;
    /// assert_eq!(d.get(b"tickets")?, Some(b"3".to_vec()));
    /// # Ok(()) }
    /// ```
    SharedDict,
    raw::mproc_dict_t,
    raw::mproc_dict_free
);

impl SharedDict {
    pub fn set(&self, key: &[u8], value: &[u8]) -> Result<()> {
        // SAFETY: live handle; key and value readable for their lengths.
        check(unsafe {
            raw::mproc_dict_set(
                self.as_raw(),
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        })
    }

    /// Sets `key` only if it is absent: `Ok(false)` (nothing changed) if
    /// it is present.
    pub fn insert_new(&self, key: &[u8], value: &[u8]) -> Result<bool> {
        // SAFETY: as for set.
        let rc = unsafe {
            raw::mproc_dict_add(
                self.as_raw(),
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        };
        optional(check(rc), ErrorKind::AlreadyExists).map(|done| done.is_some())
    }

    /// Compare-and-set: sets `key` to `value` only if its value is
    /// `expected` now. `Ok(false)` when it differs; `NotFound` for a
    /// missing key.
    pub fn replace(&self, key: &[u8], expected: &[u8], value: &[u8]) -> Result<bool> {
        // SAFETY: as for set.
        let rc = unsafe {
            raw::mproc_dict_replace(
                self.as_raw(),
                key.as_ptr().cast(),
                key.len(),
                expected.as_ptr().cast(),
                expected.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        };
        optional(check(rc), ErrorKind::InvalidState).map(|done| done.is_some())
    }

    /// The value of `key`, or None.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let value = read_value(|buf, cap, len| {
            // SAFETY: live handle; `buf` writable for `cap` bytes.
            unsafe {
                raw::mproc_dict_get_into(self.as_raw(), key.as_ptr().cast(), key.len(), buf, cap, len)
            }
        });
        optional(value, ErrorKind::NotFound)
    }

    /// The value of `key` into `buf`, its length returned; `TooBig` when
    /// `buf` is too small, `NotFound` when absent. Allocates nothing.
    pub fn get_into(&self, key: &[u8], buf: &mut [u8]) -> Result<usize> {
        let mut len = 0usize;
        // SAFETY: live handle; `buf` writable for its length.
        check(unsafe {
            raw::mproc_dict_get_into(
                self.as_raw(),
                key.as_ptr().cast(),
                key.len(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut len,
            )
        })?;
        Ok(len.min(buf.len()))
    }

    pub fn contains_key(&self, key: &[u8]) -> Result<bool> {
        // SAFETY: live handle, valid out-pointer.
        out(|found: *mut c_int| unsafe {
            raw::mproc_dict_contains(self.as_raw(), key.as_ptr().cast(), key.len(), found)
        })
        .map(|f| f != 0)
    }

    /// Deletes `key` and returns its value, in one step (None if absent).
    pub fn remove(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut m: *mut mproc_msg_t = ptr::null_mut();
        // SAFETY: live handle, valid out-pointer.
        let rc = unsafe { raw::mproc_dict_pop(self.as_raw(), key.as_ptr().cast(), key.len(), &mut m) };
        optional(check(rc).and_then(|()| taken(m)), ErrorKind::NotFound)
    }

    pub fn len(&self) -> Result<usize> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { raw::mproc_dict_len(self.as_raw(), n) })
    }

    pub fn is_empty(&self) -> Result<bool> {
        self.len().map(|n| n == 0)
    }

    /// Deletes every entry at once.
    pub fn clear(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { raw::mproc_dict_clear(self.as_raw()) })
    }

    /// Every key and value at one moment (in no particular order).
    pub fn items(&self) -> Result<Items> {
        // SAFETY: live handle, valid out-pointer.
        create(|out| unsafe { raw::mproc_dict_items(self.as_raw(), out) }).map(Items::from_nonnull)
    }

    /// Every key at one moment.
    pub fn keys(&self) -> Result<Vec<Vec<u8>>> {
        // SAFETY: live handle, valid out-pointer.
        let items =
            create(|out| unsafe { raw::mproc_dict_keys(self.as_raw(), out) }).map(Items::from_nonnull)?;
        Ok(items.iter().map(|(k, _)| k.to_vec()).collect())
    }
}

container_common!(SharedDict, "dict", mproc_dict_new, mproc_dict_open, mproc_dict_usage,
                  mproc_dict_check, mproc_dict_name);

handle!(
    /// A sequence of byte strings in shared memory. Indexes are Python's:
    /// negative ones count from the end, resolved inside the call (so
    /// `pop(-1)` takes the last element even while others append).
    SharedList,
    raw::mproc_list_t,
    raw::mproc_list_free
);

impl SharedList {
    pub fn push(&self, value: &[u8]) -> Result<()> {
        // SAFETY: live handle; value readable for its length.
        check(unsafe { raw::mproc_list_append(self.as_raw(), value.as_ptr().cast(), value.len()) })
    }

    /// Inserts before `index`, clamped as Python's `insert`.
    pub fn insert(&self, index: i64, value: &[u8]) -> Result<()> {
        // SAFETY: as for push.
        check(unsafe {
            raw::mproc_list_insert(self.as_raw(), index, value.as_ptr().cast(), value.len())
        })
    }

    /// Replaces element `index`; `OutOfRange` outside the list.
    pub fn set(&self, index: i64, value: &[u8]) -> Result<()> {
        // SAFETY: as for push.
        check(unsafe { raw::mproc_list_set(self.as_raw(), index, value.as_ptr().cast(), value.len()) })
    }

    /// Element `index`, or None outside the list.
    pub fn get(&self, index: i64) -> Result<Option<Vec<u8>>> {
        let value = read_value(|buf, cap, len| {
            // SAFETY: live handle; `buf` writable for `cap` bytes.
            unsafe { raw::mproc_list_get_into(self.as_raw(), index, buf, cap, len) }
        });
        optional(value, ErrorKind::OutOfRange)
    }

    /// Removes and returns element `index` (-1: the last), or None outside
    /// the list (an empty one too).
    pub fn pop(&self, index: i64) -> Result<Option<Vec<u8>>> {
        let mut m: *mut mproc_msg_t = ptr::null_mut();
        // SAFETY: live handle, valid out-pointer.
        let rc = unsafe { raw::mproc_list_pop(self.as_raw(), index, &mut m) };
        optional(check(rc).and_then(|()| taken(m)), ErrorKind::OutOfRange)
    }

    pub fn len(&self) -> Result<usize> {
        // SAFETY: live handle, valid out-pointer.
        out(|n| unsafe { raw::mproc_list_len(self.as_raw(), n) })
    }

    pub fn is_empty(&self) -> Result<bool> {
        self.len().map(|n| n == 0)
    }

    pub fn clear(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { raw::mproc_list_clear(self.as_raw()) })
    }

    /// Every element at one moment, in order.
    pub fn to_vec(&self) -> Result<Vec<Vec<u8>>> {
        // SAFETY: live handle, valid out-pointer.
        let items =
            create(|out| unsafe { raw::mproc_list_items(self.as_raw(), out) }).map(Items::from_nonnull)?;
        Ok(items.iter().map(|(_, v)| v.to_vec()).collect())
    }
}

container_common!(SharedList, "list", mproc_list_new, mproc_list_open, mproc_list_usage,
                  mproc_list_check, mproc_list_name);

impl Args {
    pub fn add_dict(&mut self, d: &SharedDict) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { raw::mproc_args_add_dict(self.p(), d.as_raw()) };
        self.add(rc)
    }

    pub fn add_list(&mut self, l: &SharedList) -> Result<&mut Args> {
        // SAFETY: live list and handle.
        let rc = unsafe { raw::mproc_args_add_list(self.p(), l.as_raw()) };
        self.add(rc)
    }
}

impl ArgsRef<'_> {
    pub fn get_dict(&self, index: usize) -> Result<SharedDict> {
        // SAFETY: live list, valid out-pointer; the handle is ours.
        create(|out| unsafe { raw::mproc_args_get_dict(self.p(), index, out) })
            .map(SharedDict::from_nonnull)
    }

    pub fn get_list(&self, index: usize) -> Result<SharedList> {
        // SAFETY: as for get_dict.
        create(|out| unsafe { raw::mproc_args_get_list(self.p(), index, out) })
            .map(SharedList::from_nonnull)
    }
}
