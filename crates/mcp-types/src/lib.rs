//! Serde types for every Model Context Protocol revision: 2024-11-05, 2025-03-26, 2025-06-18,
//! 2025-11-25 and 2026-07-28 (the latest, stateless revision).
//!
//! One Rust type per concept: fields that only exist in some revisions are `Option`s. Types are
//! forward compatible: unknown fields are kept in `extra` maps (see [`HasExtra`]), unknown content
//! blocks decode into [`ContentBlock::Unknown`], and unknown enum strings into `Other(String)`.
//!
//! * [`version`], [`methods`], [`meta_keys`] and [`error_codes`] hold the protocol constants;
//!   [`Era`] names the two eras of the protocol.
//! * [`jsonrpc`] holds the JSON-RPC primitives every layer shares: [`RequestId`],
//!   [`ProgressToken`], [`ErrorObject`].
//! * [`RequestMethod`] / [`NotificationMethod`] tie method names to params and result types; they
//!   are implemented by marker types such as [`CallToolRequest`].
//! * [`ClientRequest`], [`ServerRequest`], [`ClientNotification`] and [`ServerNotification`] are
//!   typed unions for dispatching incoming messages.
//!
//! ```
//! use mcp_types::{
//!     CallToolRequest, CallToolRequestParams, CallToolResult, ClientCapabilities, Implementation,
//!     RequestMeta, RequestMethod, ResultOrInputRequired, version,
//! };
//!
//! // A 2026-07-28 `tools/call` carries its protocol version and capabilities in `_meta`.
//! let meta = RequestMeta::new(version::LATEST, ClientCapabilities::default())
//!     .with_client_info(Implementation::new("example-client", "1.0.0"));
//! let mut args = serde_json::Map::new();
//! args.insert("location".into(), "Paris".into());
//! let params = CallToolRequestParams::new("get_weather").with_arguments(args).with_meta(meta);
//! let json = serde_json::to_value(&params)?;
//! assert_eq!(CallToolRequest::METHOD, "tools/call");
//! assert_eq!(json["_meta"]["io.modelcontextprotocol/protocolVersion"], "2026-07-28");
//!
//! // Results may be final or ask for more input.
//! let raw = r#"{"resultType":"complete","content":[{"type":"text","text":"18°C"}]}"#;
//! match ResultOrInputRequired::<CallToolResult>::from_json(raw)? {
//!     ResultOrInputRequired::Complete(result) => {
//!         assert_eq!(result.content[0].as_text(), Some("18°C"));
//!     }
//!     other => panic!("expected a complete result, got {other:?}"),
//! }
//! # Ok::<(), serde_json::Error>(())
//! ```

mod content_de;
mod macros;

pub mod capabilities;
pub mod completion;
pub mod content;
pub mod elicitation;
pub mod errors;
pub mod input;
pub mod jsonrpc;
pub mod lifecycle;
pub mod logging;
pub mod meta;
pub mod meta_keys;
pub mod methods;
pub mod prompts;
pub mod resources;
pub mod roots;
pub mod rpc;
pub mod sampling;
pub mod skills;
pub mod subscriptions;
pub mod tasks;
pub mod tools;
pub mod unions;
pub mod version;

use serde_json::{Map, Value};

/// Access to the unknown fields a type preserved while decoding.
pub trait HasExtra {
    /// Fields not modelled by this type.
    fn extra(&self) -> &Map<String, Value>;
    /// Mutable access to the fields not modelled by this type.
    fn extra_mut(&mut self) -> &mut Map<String, Value>;
}

pub use capabilities::{
    ClientCapabilities, ElicitationCapability, PromptsCapability, ResourcesCapability, RootsCapability,
    SamplingCapability, ServerCapabilities, TasksCapability, ToolsCapability,
};
pub use completion::{
    CompleteArgument, CompleteContext, CompleteRequestParams, CompleteResult, Completion,
    CompletionReference, PromptReference, ResourceTemplateReference,
};
pub use content::{
    Annotations, AudioContent, BlobResourceContents, ContentBlock, EmbeddedResource, Icon, IconTheme,
    ImageContent, ResourceContents, ResourceLink, Role, SamplingMessageContentBlock, TextContent,
    TextResourceContents, ToolResultContent, ToolUseContent,
};
pub use elicitation::{
    BooleanSchema, ElicitAction, ElicitRequestFormParams, ElicitRequestParams, ElicitRequestURLParams,
    ElicitResult, ElicitationCompleteNotificationParams, EnumOption, LegacyTitledEnumSchema, NumberSchema,
    NumberType, PrimitiveSchemaDefinition, StringFormat, StringSchema, TitledEnumItems,
    TitledMultiSelectEnumSchema, TitledSingleSelectEnumSchema, UntitledEnumItems,
    UntitledMultiSelectEnumSchema, UntitledSingleSelectEnumSchema, UrlElicitationRequiredData,
};
pub use errors::{MissingRequiredClientCapabilityData, UnsupportedProtocolVersionData};
pub use input::{
    CacheScope, InputRequest, InputRequests, InputRequiredResult, InputResponse, InputResponseRequestParams,
    InputResponses, ResultOrInputRequired, ResultType, ResultTypeProbe,
};
pub use jsonrpc::{error_codes, ErrorObject, ProgressToken, RequestId};
pub use lifecycle::{
    CancelledNotificationParams, DiscoverRequestParams, DiscoverResult, EmptyResult, Implementation,
    InitializeRequestParams, InitializeResult, ProgressNotificationParams,
};
pub use logging::{LoggingLevel, LoggingMessageNotificationParams, SetLevelRequestParams};
pub use meta::{
    server_info_from_meta, subscription_id_from_meta, Meta, NotificationParams, RequestMeta, RequestParams,
};
pub use prompts::{
    GetPromptRequestParams, GetPromptResult, ListPromptsResult, Prompt, PromptArgument, PromptMessage,
};
pub use resources::{
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResult, Resource, ResourceTemplate, ResourceUpdatedNotificationParams,
    SubscribeRequestParams, UnsubscribeRequestParams,
};
pub use roots::{ListRootsResult, Root};
pub use rpc::{
    CallToolRequest, CancelTaskRequest, CancelledNotification, CompleteRequest, CreateMessageRequest,
    DiscoverRequest, ElicitRequest, ElicitationCompleteNotification, GetPromptRequest, GetSkillRequest,
    GetTaskPayloadRequest, GetTaskRequest, InitializeRequest, InitializedNotification, ListPromptsRequest,
    ListResourceTemplatesRequest, ListResourcesRequest, ListRootsRequest, ListSkillsRequest,
    ListTasksRequest, ListToolsRequest, LoggingMessageNotification, NotificationMethod, PingRequest,
    ProgressNotification, PromptListChangedNotification, ReadResourceRequest, RequestMethod,
    ResourceListChangedNotification, ResourceUpdatedNotification, RootsListChangedNotification,
    SetLevelRequest, SubscribeRequest, SubscriptionsAcknowledgedNotification, SubscriptionsListenRequest,
    TaskStatusNotification, ToolListChangedNotification, UnsubscribeRequest,
};
pub use sampling::{
    CreateMessageRequestParams, CreateMessageResult, IncludeContext, ModelHint, ModelPreferences,
    SamplingContent, SamplingMessage, ToolChoice, ToolChoiceMode,
};
pub use skills::{
    GetSkillRequestParams, GetSkillResult, ListSkillsResult, Skill, SkillResource, SkillResources,
};
pub use subscriptions::{
    SubscriptionFilter, SubscriptionsAcknowledgedNotificationParams, SubscriptionsListenRequestParams,
    SubscriptionsListenResult,
};
pub use tasks::{
    CancelTaskRequestParams, CancelTaskResult, CreateTaskResult, GetTaskPayloadRequestParams,
    GetTaskPayloadResult, GetTaskRequestParams, GetTaskResult, ListTasksResult, RelatedTaskMetadata, Task,
    TaskMetadata, TaskStatus, TaskStatusNotificationParams,
};
pub use tools::{
    CallToolRequestParams, CallToolResult, ListToolsResult, TaskSupport, Tool, ToolAnnotations, ToolExecution,
};
pub use unions::{ClientNotification, ClientRequest, ServerNotification, ServerRequest};
pub use version::Era;
