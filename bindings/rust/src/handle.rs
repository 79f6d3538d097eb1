//! The owning wrapper shared by every C handle type.

/// Declares `$name`, owning one `*mut $raw` freed by `$free` exactly once on
/// drop. Send and Sync come from common.h: "Handles are safe to use from
/// any thread unless their header says otherwise", and the headers of the
/// types wrapped with this macro say nothing otherwise.
macro_rules! handle {
    ($(#[$meta:meta])* $name:ident, $raw:ty, $free:path) => {
        $(#[$meta])*
        pub struct $name {
            raw: ::core::ptr::NonNull<$raw>,
        }

        // SAFETY: see the macro's documentation.
        unsafe impl Send for $name {}
        // SAFETY: see the macro's documentation.
        unsafe impl Sync for $name {}

        impl $name {
            /// Takes ownership of a handle the library created.
            #[allow(dead_code)]
            pub(crate) fn from_nonnull(raw: ::core::ptr::NonNull<$raw>) -> Self {
                $name { raw }
            }

            /// The C handle, still owned by `self`: for calls this binding
            /// does not wrap. Do not free it.
            pub fn as_raw(&self) -> *mut $raw {
                self.raw.as_ptr()
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: `raw` came from the library, is owned by `self`
                // alone, and is freed only here.
                unsafe { $free(self.raw.as_ptr()) }
            }
        }
    };
}

pub(crate) use handle;
