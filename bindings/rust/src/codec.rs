//! Typed messages: a small, fixed wire format for the values a Pool task,
//! a Queue or a Connection carries, so that no serialisation crate is
//! needed.
//!
//! Format (every front end can read it): integers and floats are their
//! little-endian bytes at their own width; `bool` is one byte (0 or 1);
//! strings and byte vectors are a u64 little-endian length, then the bytes;
//! a tuple is its fields one after the other; `()` is nothing. A value
//! decoded from a message must use every byte of it.

use crate::error::{Error, ErrorKind, Result};

/// A value that can be written as a message.
pub trait Encode {
    /// Appends this value's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
}

/// A value that can be read back from a message.
pub trait Decode: Sized {
    /// Reads one value from the front of `input` and advances it.
    fn decode(input: &mut &[u8]) -> Result<Self>;
}

/// The message for `value`.
pub fn to_bytes<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

/// The value of a whole message: `InvalidArgument` if the bytes are too
/// few, malformed, or more than the value uses.
pub fn from_bytes<T: Decode>(mut bytes: &[u8]) -> Result<T> {
    let value = T::decode(&mut bytes)?;
    if !bytes.is_empty() {
        return Err(malformed(format!(
            "{} bytes left over after decoding a {}",
            bytes.len(),
            std::any::type_name::<T>()
        )));
    }
    Ok(value)
}

fn malformed(message: String) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

/// Takes `n` bytes off the front of `input`.
fn take<'a>(input: &mut &'a [u8], n: usize, what: &str) -> Result<&'a [u8]> {
    if input.len() < n {
        return Err(malformed(format!(
            "message too short for a {what}: {n} bytes needed, {} left",
            input.len()
        )));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

macro_rules! fixed_width {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Decode for $t {
            fn decode(input: &mut &[u8]) -> Result<Self> {
                let bytes = take(input, std::mem::size_of::<$t>(), stringify!($t))?;
                // take() returned exactly size_of bytes.
                Ok(<$t>::from_le_bytes(bytes.try_into().expect("exact length")))
            }
        }
    )*};
}
fixed_width!(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, f32, f64);

// usize/isize travel as 64 bits, so 32- and 64-bit programs agree.
impl Encode for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as u64).encode(out)
    }
}
impl Decode for usize {
    fn decode(input: &mut &[u8]) -> Result<Self> {
        let v = u64::decode(input)?;
        usize::try_from(v).map_err(|_| malformed(format!("{v} does not fit a usize")))
    }
}
impl Encode for isize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as i64).encode(out)
    }
}
impl Decode for isize {
    fn decode(input: &mut &[u8]) -> Result<Self> {
        let v = i64::decode(input)?;
        isize::try_from(v).map_err(|_| malformed(format!("{v} does not fit an isize")))
    }
}

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}
impl Decode for bool {
    fn decode(input: &mut &[u8]) -> Result<Self> {
        match take(input, 1, "bool")?[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(malformed(format!("{b} is not a bool (0 or 1)"))),
        }
    }
}

/// The length-prefixed bytes every variable-size value is made of.
fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    (bytes.len() as u64).encode(out);
    out.extend_from_slice(bytes);
}
fn decode_bytes<'a>(input: &mut &'a [u8], what: &str) -> Result<&'a [u8]> {
    let len = u64::decode(input)?;
    let len = usize::try_from(len).map_err(|_| malformed(format!("{what} length {len}")))?;
    take(input, len, what)
}

impl Encode for [u8] {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self, out)
    }
}
impl Encode for Vec<u8> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self, out)
    }
}
impl Decode for Vec<u8> {
    fn decode(input: &mut &[u8]) -> Result<Self> {
        Ok(decode_bytes(input, "byte vector")?.to_vec())
    }
}
impl Encode for str {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self.as_bytes(), out)
    }
}
impl Encode for String {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self.as_bytes(), out)
    }
}
impl Decode for String {
    fn decode(input: &mut &[u8]) -> Result<Self> {
        let bytes = decode_bytes(input, "string")?;
        String::from_utf8(bytes.to_vec()).map_err(|e| malformed(format!("string: {e}")))
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out)
    }
}

macro_rules! tuples {
    ($(($($name:ident),*)),* $(,)?) => {$(
        impl<$($name: Encode),*> Encode for ($($name,)*) {
            #[allow(non_snake_case, unused_variables)]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)*) = self;
                $($name.encode(out);)*
            }
        }
        impl<$($name: Decode),*> Decode for ($($name,)*) {
            #[allow(unused_variables)]
            fn decode(input: &mut &[u8]) -> Result<Self> {
                Ok(($($name::decode(input)?,)*))
            }
        }
    )*};
}
tuples!(
    (),
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F)
);
