//! Reserved `_meta` keys (mostly introduced by 2026-07-28).

/// Request `_meta`: the protocol revision of this request (required in 2026-07-28).
pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// Request `_meta`: the client's capabilities for this request (required in 2026-07-28).
pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// Request `_meta`: the client [`Implementation`](crate::Implementation).
pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// Request `_meta`: the desired [`LoggingLevel`](crate::LoggingLevel) (replaces `logging/setLevel`).
pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// Request `_meta`: progress token asking for `notifications/progress` (all revisions).
pub const PROGRESS_TOKEN: &str = "progressToken";
/// Result `_meta`: the server [`Implementation`](crate::Implementation).
pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
/// Notification / `subscriptions/listen` result `_meta`: the id of the subscription stream.
pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
/// `_meta` key tying a message to a task ([`RelatedTaskMetadata`](crate::tasks::RelatedTaskMetadata)).
pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";
