//! `subscriptions/listen` (2026-07-28): the registry of active listens and
//! the notifications pushed to them.

use std::collections::HashMap;
use std::sync::Mutex;

use mcp_jsonrpc::{error_codes, ErrorObject, Peer, RequestId};
use mcp_types::{meta_keys, methods};
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// The notifications one listen gets (the honored part of its filter).
#[derive(Debug, Clone, Default)]
struct Honored {
    tools: bool,
    resources_list: bool,
    uris: Vec<String>,
}

#[derive(Debug)]
struct Listen {
    filter: Honored,
    end: oneshot::Sender<()>,
}

/// The active listens of one connection, by request id.
#[derive(Debug, Default)]
pub(crate) struct Listens {
    active: Mutex<HashMap<RequestId, Listen>>,
}

/// Removes a listen when its handler ends or is dropped (cancelled).
struct Registration<'a> {
    listens: &'a Listens,
    id: RequestId,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.listens.lock().remove(&self.id);
    }
}

fn subscription_meta(id: &RequestId) -> Value {
    json!({ meta_keys::SUBSCRIPTION_ID: id })
}

impl Listens {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, Listen>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves one `subscriptions/listen`: acknowledges it, then stays
    /// pending until [`Listens::end_all`] ends it (or the request is
    /// cancelled, or the connection closes, which drop this future).
    pub(crate) async fn listen(
        &self,
        id: &RequestId,
        params: &Value,
        peer: &Peer,
    ) -> Result<Value, ErrorObject> {
        let Some(requested) = params.get("notifications").filter(|n| n.is_object()) else {
            return Err(ErrorObject::new(
                error_codes::INVALID_PARAMS,
                "subscriptions/listen needs a `notifications` object (the subscription filter)",
            ));
        };
        let flag = |k: &str| requested.get(k).and_then(Value::as_bool).unwrap_or(false);
        let uris: Option<Vec<String>> = requested.get("resourceSubscriptions").map(|list| {
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| u.as_str().map(str::to_owned))
                .collect()
        });
        // prompts.listChanged is false and task notifications are not
        // implemented: those are left out of the acknowledged filter.
        let filter = Honored {
            tools: flag("toolsListChanged"),
            resources_list: flag("resourcesListChanged"),
            uris: uris.clone().unwrap_or_default(),
        };
        let mut honored = serde_json::Map::new();
        if filter.tools {
            honored.insert("toolsListChanged".into(), json!(true));
        }
        if filter.resources_list {
            honored.insert("resourcesListChanged".into(), json!(true));
        }
        if let Some(uris) = uris {
            honored.insert("resourceSubscriptions".into(), json!(uris));
        }
        let ack = json!({"_meta": subscription_meta(id), "notifications": honored});
        // The acknowledgement goes first: the listen is registered after it.
        let _ = peer
            .notify(
                methods::NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED,
                mcp_jsonrpc::to_raw(&ack).ok(),
            )
            .await;
        let (end, ended) = oneshot::channel();
        self.lock().insert(id.clone(), Listen { filter, end });
        let _registration = Registration {
            listens: self,
            id: id.clone(),
        };
        match ended.await {
            Ok(()) => Ok(json!({"resultType": "complete", "_meta": subscription_meta(id)})),
            // Replaced by a listen with the same id: never answer this one.
            Err(_) => std::future::pending().await,
        }
    }

    /// Ends every active listen gracefully; returns how many.
    pub(crate) fn end_all(&self) -> usize {
        let ended: Vec<Listen> = self.lock().drain().map(|(_, l)| l).collect();
        let n = ended.len();
        for listen in ended {
            let _ = listen.end.send(());
        }
        n
    }

    /// Sends `method` to every listen `wants`; returns how many got it.
    async fn push(
        &self,
        peer: &Peer,
        method: &'static str,
        body: Value,
        wants: impl Fn(&Honored) -> bool,
    ) -> usize {
        let ids: Vec<RequestId> = self
            .lock()
            .iter()
            .filter(|(_, l)| wants(&l.filter))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            let mut params = body.clone();
            params["_meta"] = subscription_meta(id);
            let _ = peer.notify(method, mcp_jsonrpc::to_raw(&params).ok()).await;
        }
        ids.len()
    }

    /// `notifications/tools/list_changed` to the listens that asked for it.
    pub(crate) async fn tools_changed(&self, peer: &Peer) -> usize {
        self.push(peer, methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, json!({}), |f| {
            f.tools
        })
        .await
    }

    /// `notifications/resources/updated` to the listens subscribed to `uri`.
    pub(crate) async fn resource_updated(&self, peer: &Peer, uri: &str) -> usize {
        self.push(
            peer,
            methods::NOTIFICATIONS_RESOURCES_UPDATED,
            json!({ "uri": uri }),
            |f| f.uris.iter().any(|u| u == uri),
        )
        .await
    }
}
