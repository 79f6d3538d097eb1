//! Received messages: bytes owned by the library until dropped.

use std::fmt;
use std::ops::Deref;

use crate::ffi;
use crate::handle::handle;

handle!(
    /// One message taken from a [`Queue`](crate::Queue) or received on a
    /// [`Connection`](crate::Connection). Its bytes are the library's and are
    /// freed when the message is dropped; copy them out with `to_vec()` to
    /// keep them longer.
    Message,
    ffi::mproc_msg_t,
    ffi::mproc_msg_free
);

impl Message {
    pub fn as_bytes(&self) -> &[u8] {
        let mut data: *const core::ffi::c_void = std::ptr::null();
        let mut len = 0usize;
        // SAFETY: the handle is valid, the out-pointers too; both calls
        // only read the message (and cannot fail on a live one).
        let ok = unsafe {
            ffi::mproc_msg_data(self.as_raw(), &mut data) == 0
                && ffi::mproc_msg_size(self.as_raw(), &mut len) == 0
        };
        if !ok {
            return &[];
        }
        // A slice needs a non-NULL pointer even when empty, and an empty
        // message may well have none.
        if data.is_null() || len == 0 {
            return &[];
        }
        // SAFETY: connection.h: the `len` bytes at `data` stay valid until
        // mproc_msg_free, which only our Drop calls; nobody writes them.
        unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }
    }

    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// The bytes as UTF-8 text, if they are.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }
}

impl Deref for Message {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Message {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl From<Message> for Vec<u8> {
    fn from(m: Message) -> Vec<u8> {
        m.as_bytes().to_vec()
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message").field("len", &self.len()).finish()
    }
}
