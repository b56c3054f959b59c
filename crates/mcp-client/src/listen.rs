//! Subscriptions of the stateless era. `subscribe_resource` and the
//! list-changed notifications of the initialize era map onto one
//! `subscriptions/listen` request that stays open: when what we want
//! changes, the old request is cancelled and a new one sent; the server's
//! acknowledgement is checked; a stream that breaks is re-opened with
//! bounded backoff. Notifications on it reach the message handler like any
//! other.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_jsonrpc::{Peer, RequestOptions};
use mcp_types::{methods, ServerCapabilities, SubscriptionFilter, SubscriptionsListenRequestParams};
use serde_json::{Map, Value};
use tokio::sync::watch;
use tokio_util::task::AbortOnDropHandle;

use crate::envelope::{encode, Additions};
use crate::error::{ClientError, Result};

/// How long one listen request may stay open before it is renewed.
const LISTEN_RENEWAL: Duration = Duration::from_secs(24 * 3600);
/// Backoff bounds between attempts to re-open a broken stream.
const BACKOFF_MIN: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What the handler of server messages updates: the latest acknowledgement.
#[derive(Default)]
pub(crate) struct ListenAcks {
    acks: watch::Sender<Option<SubscriptionFilter>>,
}

impl ListenAcks {
    /// Records the server's acknowledgement of the current listen request.
    pub(crate) fn acknowledged(&self, filter: SubscriptionFilter) {
        self.acks.send_replace(Some(filter));
    }
}

/// What we want to hear about.
#[derive(Debug, Clone, Default, PartialEq)]
struct Desired {
    tools: bool,
    prompts: bool,
    resources: bool,
    uris: BTreeSet<String>,
}

impl Desired {
    fn is_empty(&self) -> bool {
        !self.tools && !self.prompts && !self.resources && self.uris.is_empty()
    }

    fn filter(&self) -> SubscriptionFilter {
        SubscriptionFilter {
            tools_list_changed: self.tools.then_some(true),
            prompts_list_changed: self.prompts.then_some(true),
            resources_list_changed: self.resources.then_some(true),
            resource_subscriptions: (!self.uris.is_empty()).then(|| self.uris.iter().cloned().collect()),
            ..Default::default()
        }
    }
}

/// The session's open listen request, if any.
#[derive(Default)]
pub(crate) struct Listener {
    state: Mutex<(Desired, Option<AbortOnDropHandle<()>>)>,
}

impl Listener {
    /// Cancels the listen request.
    pub(crate) fn stop(&self) {
        let task = self.state.lock().unwrap_or_else(|p| p.into_inner()).1.take();
        drop(task);
    }

    /// After discovery: listen for the list changes the server offers.
    pub(crate) fn listen_for_list_changes(
        &self,
        peer: &Peer,
        meta: &Arc<Map<String, Value>>,
        acks: &ListenAcks,
        caps: &ServerCapabilities,
    ) {
        self.update(peer, meta, acks, |d| {
            d.tools = caps.tools.as_ref().and_then(|t| t.list_changed) == Some(true);
            d.prompts = caps.prompts.as_ref().and_then(|p| p.list_changed) == Some(true);
            d.resources = caps.resources.as_ref().and_then(|r| r.list_changed) == Some(true);
        });
    }

    /// Adds or removes a resource subscription and, when adding, waits (at
    /// most `timeout`) until the server acknowledged it.
    pub(crate) async fn listen_resource(
        &self,
        peer: &Peer,
        meta: &Arc<Map<String, Value>>,
        acks: &ListenAcks,
        uri: &str,
        subscribe: bool,
        timeout: Duration,
    ) -> Result<()> {
        let mut seen = acks.acks.subscribe();
        let changed = self.update(peer, meta, acks, |d| {
            if subscribe {
                d.uris.insert(uri.to_owned());
            } else {
                d.uris.remove(uri);
            }
        });
        if !subscribe || !changed {
            return Ok(());
        }
        let wait = async {
            seen.wait_for(|ack| {
                ack.as_ref()
                    .and_then(|f| f.resource_subscriptions.as_ref())
                    .is_some_and(|uris| uris.iter().any(|u| u == uri))
            })
            .await
            .map(|_| ())
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(ClientError::ConnectionClosed {
                method: methods::SUBSCRIPTIONS_LISTEN.to_owned(),
                reason: mcp_jsonrpc::CloseReason::Local,
            }),
            Err(_) => Err(ClientError::NotSupported {
                method: methods::SUBSCRIPTIONS_LISTEN.to_owned(),
                why: format!("the server did not acknowledge a subscription to {uri} within {timeout:?}"),
            }),
        }
    }

    /// Applies `change`; if what we want changed, replaces the listen
    /// request. Returns whether it changed.
    fn update(
        &self,
        peer: &Peer,
        meta: &Arc<Map<String, Value>>,
        acks: &ListenAcks,
        change: impl FnOnce(&mut Desired),
    ) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut desired = state.0.clone();
        change(&mut desired);
        if desired == state.0 && (state.1.is_some() || desired.is_empty()) {
            return false;
        }
        // Dropping the old task drops its request, which cancels it.
        state.1 = None;
        acks.acks.send_replace(None);
        if !desired.is_empty() {
            let task = tokio::spawn(run(peer.clone(), meta.clone(), desired.filter()));
            state.1 = Some(AbortOnDropHandle::new(task));
        }
        state.0 = desired;
        true
    }
}

/// Keeps one listen request open until the server ends it, refuses it, or
/// the connection closes.
async fn run(peer: Peer, meta: Arc<Map<String, Value>>, filter: SubscriptionFilter) {
    let params = SubscriptionsListenRequestParams::new(filter);
    let additions = Additions {
        meta: Some(&meta),
        ..Default::default()
    };
    let raw = match encode(methods::SUBSCRIPTIONS_LISTEN, &params, &additions) {
        Ok(raw) => raw,
        Err(e) => {
            tracing::warn!(error = %e, "could not encode subscriptions/listen");
            return;
        }
    };
    let mut backoff = BACKOFF_MIN;
    loop {
        let options = RequestOptions::default().timeout(LISTEN_RENEWAL);
        match peer
            .request_raw(methods::SUBSCRIPTIONS_LISTEN, Some(raw.clone()), options)
            .await
        {
            Ok(_) => {
                tracing::debug!("the server ended the subscription");
                return;
            }
            Err(e) if e.is_closed() => return,
            Err(e) if e.rpc_error().is_some() => {
                tracing::warn!(error = %e, "the server refused subscriptions/listen; no change notifications");
                return;
            }
            Err(e) => {
                tracing::debug!(error = %e, ?backoff, "subscription stream broke; re-opening");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}
