//! The table of requests we sent and still wait for.
//!
//! One `std::sync::Mutex` guards it; every critical section is a few map
//! operations, and no lock is ever held across an `.await`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::value::RawValue;
use tokio::sync::{oneshot, Notify};

use crate::error::{CloseReason, TransportError};
use crate::message::{ErrorObject, RequestId};
use crate::options::ProgressCallback;
use mcp_types::ProgressToken;

/// How a pending request ends, other than by its own timeout or drop.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The peer answered with a result.
    Result(Box<RawValue>),
    /// The peer answered with an error.
    Rpc(ErrorObject),
    /// The transport could not carry the request or its answer.
    Transport(TransportError),
    /// The connection closed first.
    Closed(CloseReason),
}

/// Where the progress notifications of one request go.
pub(crate) struct Route {
    /// The request's id.
    pub(crate) id: i64,
    /// The caller's callback.
    pub(crate) on_progress: Option<ProgressCallback>,
    /// Woken on progress to restart the request's timer.
    pub(crate) reset: Option<Arc<Notify>>,
}

struct Entry {
    tx: oneshot::Sender<Outcome>,
    token: Option<ProgressToken>,
}

#[derive(Default)]
struct Table {
    entries: HashMap<i64, Entry>,
    routes: HashMap<ProgressToken, Route>,
    closed: Option<CloseReason>,
}

impl Table {
    fn take(&mut self, id: i64) -> Option<Entry> {
        let entry = self.entries.remove(&id)?;
        if let Some(token) = &entry.token {
            if self.routes.get(token).is_some_and(|r| r.id == id) {
                self.routes.remove(token);
            }
        }
        Some(entry)
    }
}

/// The pending-request table.
#[derive(Default)]
pub(crate) struct Pending {
    table: Mutex<Table>,
}

impl Pending {
    fn lock(&self) -> MutexGuard<'_, Table> {
        // A panic while holding the lock cannot leave the maps inconsistent
        // (each operation is a single insert or remove), so poisoning is ignored.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers request `id`; fails with the close reason once closed.
    pub(crate) fn insert(
        &self,
        id: i64,
        tx: oneshot::Sender<Outcome>,
        route: Option<(ProgressToken, Route)>,
    ) -> Result<(), CloseReason> {
        let mut table = self.lock();
        if let Some(reason) = &table.closed {
            return Err(reason.clone());
        }
        let token = match route {
            Some((token, route)) => {
                if table.routes.insert(token.clone(), route).is_some() {
                    tracing::debug!(%token, "progress token reused by a newer request");
                }
                Some(token)
            }
            None => None,
        };
        table.entries.insert(id, Entry { tx, token });
        Ok(())
    }

    /// Hands `outcome` to the request `id` is waiting for; false when no such
    /// request waits (it was answered, cancelled or timed out).
    pub(crate) fn complete(&self, id: &RequestId, outcome: Outcome) -> bool {
        let RequestId::Number(n) = id else {
            return false;
        };
        let entry = self.lock().take(*n);
        match entry {
            Some(entry) => {
                // The receiver may be gone if the future is being dropped.
                let _ = entry.tx.send(outcome);
                true
            }
            None => false,
        }
    }

    /// Removes request `id`; true when it was still waiting.
    pub(crate) fn remove(&self, id: i64) -> bool {
        self.lock().take(id).is_some()
    }

    /// The callback and timer reset of the request that owns `token`.
    pub(crate) fn progress(
        &self,
        token: &ProgressToken,
    ) -> Option<(Option<ProgressCallback>, Option<Arc<Notify>>)> {
        let table = self.lock();
        let route = table.routes.get(token)?;
        Some((route.on_progress.clone(), route.reset.clone()))
    }

    /// Marks the table closed and fails every waiting request with `reason`.
    /// Only the first call has an effect; it returns true.
    pub(crate) fn close(&self, reason: &CloseReason) -> bool {
        let entries = {
            let mut table = self.lock();
            if table.closed.is_some() {
                return false;
            }
            table.closed = Some(reason.clone());
            table.routes.clear();
            std::mem::take(&mut table.entries)
        };
        for (_, entry) in entries {
            let _ = entry.tx.send(Outcome::Closed(reason.clone()));
        }
        true
    }

    /// Why the connection closed, once it has.
    pub(crate) fn closed(&self) -> Option<CloseReason> {
        self.lock().closed.clone()
    }

    /// How many requests wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }
}
