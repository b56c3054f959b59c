//! Typed unions of the messages each side may send, for dispatch.

use serde_json::Value;

use crate::rpc::*;

fn decode<T: serde::de::DeserializeOwned>(params: Option<&str>) -> Result<T, serde_json::Error> {
    serde_json::from_str(params.unwrap_or("{}"))
}

macro_rules! union {
    (
        $(#[$m:meta])* $name:ident : $tr:ident {
            $( $(#[$vm:meta])* $var:ident($marker:ty), )*
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)] // params are moved out right after dispatch
        pub enum $name {
            $( $(#[$vm])* $var(<$marker as $tr>::Params), )*
            /// A method this crate does not know (or not valid in this direction).
            Unknown {
                /// Method name.
                method: String,
                /// Raw params.
                params: Option<Value>,
            },
        }

        impl $name {
            /// Decodes a message from its method and raw JSON params.
            ///
            /// Absent params are treated as `{}` (valid for methods whose params are all optional).
            /// Unknown methods decode into `Unknown`.
            pub fn parse(method: &str, params: Option<&str>) -> Result<Self, serde_json::Error> {
                Ok(match method {
                    $( <$marker as $tr>::METHOD => Self::$var(decode(params)?), )*
                    _ => Self::Unknown {
                        method: method.to_owned(),
                        params: params.map(serde_json::from_str).transpose()?,
                    },
                })
            }

            /// The method name.
            pub fn method(&self) -> &str {
                match self {
                    $( Self::$var(_) => <$marker as $tr>::METHOD, )*
                    Self::Unknown { method, .. } => method,
                }
            }

            /// The params as JSON (`None` only for `Unknown` without params).
            pub fn params_value(&self) -> Result<Option<Value>, serde_json::Error> {
                match self {
                    $( Self::$var(p) => serde_json::to_value(p).map(Some), )*
                    Self::Unknown { params, .. } => Ok(params.clone()),
                }
            }
        }
    };
}

union! {
    /// Requests a client sends to a server (all revisions).
    ClientRequest: RequestMethod {
        /// `initialize`.
        Initialize(InitializeRequest),
        /// `ping`.
        Ping(PingRequest),
        /// `server/discover`.
        Discover(DiscoverRequest),
        /// `resources/list`.
        ListResources(ListResourcesRequest),
        /// `resources/templates/list`.
        ListResourceTemplates(ListResourceTemplatesRequest),
        /// `resources/read`.
        ReadResource(ReadResourceRequest),
        /// `resources/subscribe`.
        Subscribe(SubscribeRequest),
        /// `resources/unsubscribe`.
        Unsubscribe(UnsubscribeRequest),
        /// `subscriptions/listen`.
        SubscriptionsListen(SubscriptionsListenRequest),
        /// `prompts/list`.
        ListPrompts(ListPromptsRequest),
        /// `prompts/get`.
        GetPrompt(GetPromptRequest),
        /// `tools/list`.
        ListTools(ListToolsRequest),
        /// `tools/call`.
        CallTool(CallToolRequest),
        /// `completion/complete`.
        Complete(CompleteRequest),
        /// `logging/setLevel`.
        SetLevel(SetLevelRequest),
        /// `tasks/get`.
        GetTask(GetTaskRequest),
        /// `tasks/result`.
        GetTaskPayload(GetTaskPayloadRequest),
        /// `tasks/list`.
        ListTasks(ListTasksRequest),
        /// `tasks/cancel`.
        CancelTask(CancelTaskRequest),
    }
}

union! {
    /// Requests a server sends to a client (initialize era; in 2026-07-28 these travel as input requests).
    ServerRequest: RequestMethod {
        /// `ping`.
        Ping(PingRequest),
        /// `sampling/createMessage`.
        CreateMessage(CreateMessageRequest),
        /// `elicitation/create`.
        Elicit(ElicitRequest),
        /// `roots/list`.
        ListRoots(ListRootsRequest),
        /// `tasks/get`.
        GetTask(GetTaskRequest),
        /// `tasks/result`.
        GetTaskPayload(GetTaskPayloadRequest),
        /// `tasks/list`.
        ListTasks(ListTasksRequest),
        /// `tasks/cancel`.
        CancelTask(CancelTaskRequest),
    }
}

union! {
    /// Notifications a client sends to a server.
    ClientNotification: NotificationMethod {
        /// `notifications/cancelled`.
        Cancelled(CancelledNotification),
        /// `notifications/initialized`.
        Initialized(InitializedNotification),
        /// `notifications/progress`.
        Progress(ProgressNotification),
        /// `notifications/roots/list_changed`.
        RootsListChanged(RootsListChangedNotification),
        /// `notifications/tasks/status`.
        TaskStatus(TaskStatusNotification),
    }
}

union! {
    /// Notifications a server sends to a client.
    ServerNotification: NotificationMethod {
        /// `notifications/cancelled`.
        Cancelled(CancelledNotification),
        /// `notifications/progress`.
        Progress(ProgressNotification),
        /// `notifications/message`.
        LoggingMessage(LoggingMessageNotification),
        /// `notifications/resources/list_changed`.
        ResourceListChanged(ResourceListChangedNotification),
        /// `notifications/resources/updated`.
        ResourceUpdated(ResourceUpdatedNotification),
        /// `notifications/prompts/list_changed`.
        PromptListChanged(PromptListChangedNotification),
        /// `notifications/tools/list_changed`.
        ToolListChanged(ToolListChangedNotification),
        /// `notifications/elicitation/complete`.
        ElicitationComplete(ElicitationCompleteNotification),
        /// `notifications/tasks/status`.
        TaskStatus(TaskStatusNotification),
        /// `notifications/subscriptions/acknowledged`.
        SubscriptionsAcknowledged(SubscriptionsAcknowledgedNotification),
    }
}
