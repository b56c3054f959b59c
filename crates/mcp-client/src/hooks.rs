//! The MCP conventions the JSON-RPC engine needs: how a request is
//! cancelled and how progress is matched to its request.

use mcp_jsonrpc::{Notification, ProgressToken, ProtocolHooks, RequestId};
use mcp_types::methods;
use serde::Deserialize;

/// MCP's cancellation and progress conventions, for the JSON-RPC engine:
/// `notifications/cancelled` and `notifications/progress`. Servers built on
/// `mcp_jsonrpc::Peer` (such as the test kit's) use them too.
#[derive(Debug, Default, Clone, Copy)]
pub struct McpHooks;

#[derive(Deserialize)]
struct CancelledParams {
    #[serde(rename = "requestId")]
    request_id: RequestId,
}

#[derive(Deserialize)]
struct ProgressParams {
    #[serde(rename = "progressToken")]
    progress_token: ProgressToken,
}

impl ProtocolHooks for McpHooks {
    fn cancel_notification(&self, id: &RequestId, reason: &str) -> Option<Notification> {
        let params = serde_json::json!({ "requestId": id, "reason": reason });
        Some(Notification {
            method: methods::NOTIFICATIONS_CANCELLED.into(),
            params: mcp_jsonrpc::to_raw(&params).ok(),
        })
    }

    fn cancelled_request(&self, n: &Notification) -> Option<RequestId> {
        if n.method != methods::NOTIFICATIONS_CANCELLED {
            return None;
        }
        let params: CancelledParams = serde_json::from_str(n.params.as_ref()?.get()).ok()?;
        Some(params.request_id)
    }

    fn progress_token(&self, n: &Notification) -> Option<ProgressToken> {
        if n.method != methods::NOTIFICATIONS_PROGRESS {
            return None;
        }
        let params: ProgressParams = serde_json::from_str(n.params.as_ref()?.get()).ok()?;
        Some(params.progress_token)
    }
}
