//! JSON-RPC method names of every request and notification of every revision.

/// `initialize` (2024-11-05 ..= 2025-11-25).
pub const INITIALIZE: &str = "initialize";
/// `ping` (2024-11-05 ..= 2025-11-25).
pub const PING: &str = "ping";
/// `server/discover` (2026-07-28).
pub const SERVER_DISCOVER: &str = "server/discover";
/// `resources/list`.
pub const RESOURCES_LIST: &str = "resources/list";
/// `resources/templates/list`.
pub const RESOURCES_TEMPLATES_LIST: &str = "resources/templates/list";
/// `resources/read`.
pub const RESOURCES_READ: &str = "resources/read";
/// `resources/subscribe` (2024-11-05 ..= 2025-11-25).
pub const RESOURCES_SUBSCRIBE: &str = "resources/subscribe";
/// `resources/unsubscribe` (2024-11-05 ..= 2025-11-25).
pub const RESOURCES_UNSUBSCRIBE: &str = "resources/unsubscribe";
/// `subscriptions/listen` (2026-07-28).
pub const SUBSCRIPTIONS_LISTEN: &str = "subscriptions/listen";
/// `prompts/list`.
pub const PROMPTS_LIST: &str = "prompts/list";
/// `prompts/get`.
pub const PROMPTS_GET: &str = "prompts/get";
/// `tools/list`.
pub const TOOLS_LIST: &str = "tools/list";
/// `tools/call`.
pub const TOOLS_CALL: &str = "tools/call";
/// `completion/complete`.
pub const COMPLETION_COMPLETE: &str = "completion/complete";
/// `logging/setLevel` (2024-11-05 ..= 2025-11-25; replaced by the `logLevel` `_meta` key).
pub const LOGGING_SET_LEVEL: &str = "logging/setLevel";
/// `sampling/createMessage` (server to client, or an input request in 2026-07-28).
pub const SAMPLING_CREATE_MESSAGE: &str = "sampling/createMessage";
/// `roots/list` (server to client, or an input request in 2026-07-28).
pub const ROOTS_LIST: &str = "roots/list";
/// `elicitation/create` (2025-06-18+; server to client, or an input request in 2026-07-28).
pub const ELICITATION_CREATE: &str = "elicitation/create";
/// `tasks/get` (2025-11-25; tasks extension in 2026-07-28).
pub const TASKS_GET: &str = "tasks/get";
/// `tasks/result` (2025-11-25; tasks extension in 2026-07-28).
pub const TASKS_RESULT: &str = "tasks/result";
/// `tasks/list` (2025-11-25; tasks extension in 2026-07-28).
pub const TASKS_LIST: &str = "tasks/list";
/// `tasks/cancel` (2025-11-25; tasks extension in 2026-07-28).
pub const TASKS_CANCEL: &str = "tasks/cancel";

/// `skills/list` (skills extension).
pub const SKILLS_LIST: &str = "skills/list";
/// `skills/get` (skills extension).
pub const SKILLS_GET: &str = "skills/get";

/// `notifications/initialized` (2024-11-05 ..= 2025-11-25).
pub const NOTIFICATIONS_INITIALIZED: &str = "notifications/initialized";
/// `notifications/cancelled`.
pub const NOTIFICATIONS_CANCELLED: &str = "notifications/cancelled";
/// `notifications/progress`.
pub const NOTIFICATIONS_PROGRESS: &str = "notifications/progress";
/// `notifications/message` (log messages).
pub const NOTIFICATIONS_MESSAGE: &str = "notifications/message";
/// `notifications/resources/list_changed`.
pub const NOTIFICATIONS_RESOURCES_LIST_CHANGED: &str = "notifications/resources/list_changed";
/// `notifications/resources/updated`.
pub const NOTIFICATIONS_RESOURCES_UPDATED: &str = "notifications/resources/updated";
/// `notifications/prompts/list_changed`.
pub const NOTIFICATIONS_PROMPTS_LIST_CHANGED: &str = "notifications/prompts/list_changed";
/// `notifications/tools/list_changed`.
pub const NOTIFICATIONS_TOOLS_LIST_CHANGED: &str = "notifications/tools/list_changed";
/// `notifications/roots/list_changed` (2024-11-05 ..= 2025-11-25).
pub const NOTIFICATIONS_ROOTS_LIST_CHANGED: &str = "notifications/roots/list_changed";
/// `notifications/elicitation/complete` (2025-11-25).
pub const NOTIFICATIONS_ELICITATION_COMPLETE: &str = "notifications/elicitation/complete";
/// `notifications/tasks/status` (2025-11-25; tasks extension in 2026-07-28).
pub const NOTIFICATIONS_TASKS_STATUS: &str = "notifications/tasks/status";
/// `notifications/subscriptions/acknowledged` (2026-07-28).
pub const NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";
