//! The boxed types of the seam: a leaf module (std only).

use std::future::Future;
use std::pin::Pin;

/// A boxed error of a transport, kept as the cause of a
/// [`TransportError`](crate::TransportError).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
