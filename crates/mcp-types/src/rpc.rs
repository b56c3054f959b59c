//! Traits tying method names to param/result types, and one marker type per request/notification.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::completion::{CompleteRequestParams, CompleteResult};
use crate::elicitation::{ElicitRequestParams, ElicitResult, ElicitationCompleteNotificationParams};
use crate::lifecycle::{
    CancelledNotificationParams, DiscoverRequestParams, DiscoverResult, EmptyResult, InitializeRequestParams,
    InitializeResult, ProgressNotificationParams,
};
use crate::logging::{LoggingMessageNotificationParams, SetLevelRequestParams};
use crate::meta::{NotificationParams, RequestParams};
use crate::methods;
use crate::prompts::{GetPromptRequestParams, GetPromptResult, ListPromptsResult};
use crate::resources::{
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResult, ResourceUpdatedNotificationParams, SubscribeRequestParams,
};
use crate::roots::ListRootsResult;
use crate::sampling::{CreateMessageRequestParams, CreateMessageResult};
use crate::skills::{GetSkillRequestParams, GetSkillResult, ListSkillsResult};
use crate::subscriptions::{
    SubscriptionsAcknowledgedNotificationParams, SubscriptionsListenRequestParams, SubscriptionsListenResult,
};
use crate::tasks::{
    GetTaskPayloadResult, GetTaskRequestParams, GetTaskResult, ListTasksResult, TaskStatusNotificationParams,
};
use crate::tools::{CallToolRequestParams, CallToolResult, ListToolsResult};

/// A request method: its name, params type and (complete) result type.
///
/// In 2026-07-28 a result may instead be an [`InputRequiredResult`](crate::InputRequiredResult); use
/// [`ResultTypeProbe`](crate::ResultTypeProbe) or [`ResultOrInputRequired`](crate::ResultOrInputRequired).
/// When params are all optional, an absent `params` decodes as `{}`.
pub trait RequestMethod {
    /// The JSON-RPC method name.
    const METHOD: &'static str;
    /// The params type.
    type Params: Serialize + DeserializeOwned;
    /// The result type.
    type Result: Serialize + DeserializeOwned;
}

/// A notification method: its name and params type.
pub trait NotificationMethod {
    /// The JSON-RPC method name.
    const METHOD: &'static str;
    /// The params type.
    type Params: Serialize + DeserializeOwned;
}

macro_rules! requests {
    ($( $(#[$m:meta])* $name:ident => $method:path, $params:ty, $result:ty; )*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $name {}

            impl RequestMethod for $name {
                const METHOD: &'static str = $method;
                type Params = $params;
                type Result = $result;
            }
        )*
    };
}

macro_rules! notifications {
    ($( $(#[$m:meta])* $name:ident => $method:path, $params:ty; )*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $name {}

            impl NotificationMethod for $name {
                const METHOD: &'static str = $method;
                type Params = $params;
            }
        )*
    };
}

requests! {
    /// `initialize` (initialize era).
    InitializeRequest => methods::INITIALIZE, InitializeRequestParams, InitializeResult;
    /// `ping` (initialize era).
    PingRequest => methods::PING, RequestParams, EmptyResult;
    /// `server/discover` (2026-07-28).
    DiscoverRequest => methods::SERVER_DISCOVER, DiscoverRequestParams, DiscoverResult;
    /// `resources/list`.
    ListResourcesRequest => methods::RESOURCES_LIST, PaginatedRequestParams, ListResourcesResult;
    /// `resources/templates/list`.
    ListResourceTemplatesRequest =>
        methods::RESOURCES_TEMPLATES_LIST, PaginatedRequestParams, ListResourceTemplatesResult;
    /// `resources/read`.
    ReadResourceRequest => methods::RESOURCES_READ, ReadResourceRequestParams, ReadResourceResult;
    /// `resources/subscribe` (initialize era).
    SubscribeRequest => methods::RESOURCES_SUBSCRIBE, SubscribeRequestParams, EmptyResult;
    /// `resources/unsubscribe` (initialize era).
    UnsubscribeRequest => methods::RESOURCES_UNSUBSCRIBE, SubscribeRequestParams, EmptyResult;
    /// `subscriptions/listen` (2026-07-28).
    SubscriptionsListenRequest =>
        methods::SUBSCRIPTIONS_LISTEN, SubscriptionsListenRequestParams, SubscriptionsListenResult;
    /// `prompts/list`.
    ListPromptsRequest => methods::PROMPTS_LIST, PaginatedRequestParams, ListPromptsResult;
    /// `prompts/get`.
    GetPromptRequest => methods::PROMPTS_GET, GetPromptRequestParams, GetPromptResult;
    /// `tools/list`.
    ListToolsRequest => methods::TOOLS_LIST, PaginatedRequestParams, ListToolsResult;
    /// `tools/call`.
    CallToolRequest => methods::TOOLS_CALL, CallToolRequestParams, CallToolResult;
    /// `completion/complete`.
    CompleteRequest => methods::COMPLETION_COMPLETE, CompleteRequestParams, CompleteResult;
    /// `logging/setLevel` (initialize era).
    SetLevelRequest => methods::LOGGING_SET_LEVEL, SetLevelRequestParams, EmptyResult;
    /// `sampling/createMessage` (server to client).
    CreateMessageRequest =>
        methods::SAMPLING_CREATE_MESSAGE, CreateMessageRequestParams, CreateMessageResult;
    /// `roots/list` (server to client).
    ListRootsRequest => methods::ROOTS_LIST, RequestParams, ListRootsResult;
    /// `elicitation/create` (server to client).
    ElicitRequest => methods::ELICITATION_CREATE, ElicitRequestParams, ElicitResult;
    /// `tasks/get`.
    GetTaskRequest => methods::TASKS_GET, GetTaskRequestParams, GetTaskResult;
    /// `tasks/result`.
    GetTaskPayloadRequest => methods::TASKS_RESULT, GetTaskRequestParams, GetTaskPayloadResult;
    /// `tasks/list`.
    ListTasksRequest => methods::TASKS_LIST, PaginatedRequestParams, ListTasksResult;
    /// `tasks/cancel`.
    CancelTaskRequest => methods::TASKS_CANCEL, GetTaskRequestParams, GetTaskResult;
    /// `skills/list` (skills extension).
    ListSkillsRequest => methods::SKILLS_LIST, PaginatedRequestParams, ListSkillsResult;
    /// `skills/get` (skills extension).
    GetSkillRequest => methods::SKILLS_GET, GetSkillRequestParams, GetSkillResult;
}

notifications! {
    /// `notifications/initialized` (initialize era).
    InitializedNotification => methods::NOTIFICATIONS_INITIALIZED, NotificationParams;
    /// `notifications/cancelled`.
    CancelledNotification => methods::NOTIFICATIONS_CANCELLED, CancelledNotificationParams;
    /// `notifications/progress`.
    ProgressNotification => methods::NOTIFICATIONS_PROGRESS, ProgressNotificationParams;
    /// `notifications/message`.
    LoggingMessageNotification => methods::NOTIFICATIONS_MESSAGE, LoggingMessageNotificationParams;
    /// `notifications/resources/list_changed`.
    ResourceListChangedNotification => methods::NOTIFICATIONS_RESOURCES_LIST_CHANGED, NotificationParams;
    /// `notifications/resources/updated`.
    ResourceUpdatedNotification =>
        methods::NOTIFICATIONS_RESOURCES_UPDATED, ResourceUpdatedNotificationParams;
    /// `notifications/prompts/list_changed`.
    PromptListChangedNotification => methods::NOTIFICATIONS_PROMPTS_LIST_CHANGED, NotificationParams;
    /// `notifications/tools/list_changed`.
    ToolListChangedNotification => methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, NotificationParams;
    /// `notifications/roots/list_changed` (initialize era).
    RootsListChangedNotification => methods::NOTIFICATIONS_ROOTS_LIST_CHANGED, NotificationParams;
    /// `notifications/elicitation/complete` (2025-11-25).
    ElicitationCompleteNotification =>
        methods::NOTIFICATIONS_ELICITATION_COMPLETE, ElicitationCompleteNotificationParams;
    /// `notifications/tasks/status`.
    TaskStatusNotification => methods::NOTIFICATIONS_TASKS_STATUS, TaskStatusNotificationParams;
    /// `notifications/subscriptions/acknowledged` (2026-07-28).
    SubscriptionsAcknowledgedNotification =>
        methods::NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED, SubscriptionsAcknowledgedNotificationParams;
}
