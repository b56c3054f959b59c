//! The calls of [`ClientSession`], one per protocol operation, named as in
//! the Python SDK. Each request method returns a [`Call`], on which the
//! call's options are set before it is awaited.

use std::collections::HashSet;
use std::future::Future;

use mcp_types::{
    methods, CallToolRequest, CallToolRequestParams, CallToolResult, CompleteArgument, CompleteContext,
    CompleteRequest, CompleteRequestParams, CompleteResult, CompletionReference, DiscoverRequest,
    DiscoverRequestParams, DiscoverResult, EmptyResult, GetPromptRequest, GetPromptRequestParams,
    GetPromptResult, InputResponses, ListPromptsRequest, ListPromptsResult, ListResourceTemplatesRequest,
    ListResourceTemplatesResult, ListResourcesRequest, ListResourcesResult, ListToolsRequest,
    ListToolsResult, LoggingLevel, NotificationMethod, PaginatedRequestParams, PingRequest,
    ProgressNotification, ProgressNotificationParams, ProgressToken, Prompt, ReadResourceRequest,
    ReadResourceRequestParams, ReadResourceResult, RequestMethod, Resource, ResourceTemplate,
    RootsListChangedNotification, TaskMetadata, Tool,
};
use serde::Serialize;
use serde_json::Map;

use crate::args::{tool_arguments, IntoArguments, IntoPromptArguments};
use crate::call::{Call, CallOp};
use crate::era::EraState;
use crate::error::{ClientError, Result};
use crate::options::CallOptions;
use crate::session::ClientSession;
use crate::stateless::RoundResult;

/// Tells a `CreateTaskResult` from a `CallToolResult`.
#[derive(serde::Deserialize)]
struct CreatedProbe {
    task: Option<serde::de::IgnoredAny>,
    content: Option<serde::de::IgnoredAny>,
}

/// Most pages a `list_all_*` call follows before it gives up on a server
/// that never stops paginating ([`ClientError::ListingTooLarge`]).
pub const MAX_PAGES: usize = 1_000;

/// Most bytes of results (as received) a `list_all_*` call gathers before
/// it gives up ([`ClientError::ListingTooLarge`]): 64 MiB.
pub const MAX_LISTED_BYTES: usize = 64 * 1024 * 1024;

pub(crate) fn page(cursor: Option<String>) -> PaginatedRequestParams {
    PaginatedRequestParams {
        cursor,
        ..PaginatedRequestParams::default()
    }
}

/// Splits one page of a listing into its items and the next cursor.
type Split<R, T> = fn(R) -> (Vec<T>, Option<String>);

impl ClientSession {
    /// Lists the server's tools (one page).
    pub fn list_tools(
        &self,
        cursor: Option<String>,
    ) -> Call<ListToolsResult, impl CallOp<ListToolsResult> + '_> {
        Call::new(move |o: CallOptions| async move { Ok(self.tools_page(cursor, &o).await?.0) })
    }

    /// One page of tools, recorded (output schemas; in the stateless era the
    /// headers they mirror, tools with invalid annotations dropped).
    async fn tools_page(
        &self,
        cursor: Option<String>,
        call: &CallOptions,
    ) -> Result<(ListToolsResult, usize)> {
        let established = self.established(methods::TOOLS_LIST)?;
        let (mut result, size) = self
            .sized_request::<ListToolsRequest>(&page(cursor), call)
            .await?;
        let mirror = established.era.mirrors_tool_headers();
        if let Some(headers) = self.shared().tools.record(&mut result.tools, mirror) {
            self.shared().hints.send_modify(|h| h.tool_headers = headers);
        }
        Ok((result, size))
    }

    /// Lists every tool, following cursors.
    pub fn list_all_tools(&self) -> Call<Vec<Tool>, impl CallOp<Vec<Tool>> + '_> {
        Call::new(move |o: CallOptions| self.all_tools(o))
    }

    async fn all_tools(&self, call: CallOptions) -> Result<Vec<Tool>> {
        let tools = all_pages(
            methods::TOOLS_LIST,
            |c| self.tools_page(c, &call),
            |r| (r.tools, r.next_cursor),
        )
        .await?;
        self.shared().tools.record_complete();
        Ok(tools)
    }

    /// Calls a tool. `arguments` is a JSON object (`json!({..})`, a `Map`),
    /// a reference to anything that serializes to one (`&args` for a
    /// `#[derive(Serialize)]` struct), or `()`/`None` for none (see
    /// [`IntoArguments`]); anything else fails with
    /// [`ClientError::InvalidArguments`] before a byte is sent. The
    /// structured result is validated against the tool's `outputSchema`
    /// (learned with `tools/list` if not yet known).
    pub fn call_tool(
        &self,
        name: impl Into<String>,
        arguments: impl IntoArguments,
    ) -> Call<CallToolResult, impl CallOp<CallToolResult> + '_> {
        let mut params = CallToolRequestParams::new(name);
        let arguments = tool_arguments(methods::TOOLS_CALL, arguments);
        Call::new(move |o: CallOptions| async move {
            params.arguments = arguments?;
            self.call_tool_params(params, o).await
        })
    }

    /// Calls a tool with full parameters (`_meta`, a task…).
    pub fn call_tool_with(
        &self,
        params: CallToolRequestParams,
    ) -> Call<CallToolResult, impl CallOp<CallToolResult> + '_> {
        Call::new(move |o: CallOptions| self.call_tool_params(params, o))
    }

    async fn call_tool_params(
        &self,
        mut params: CallToolRequestParams,
        call: CallOptions,
    ) -> Result<CallToolResult> {
        let validate = self.options().validate_tool_output;
        let tasks = self.initialize_era_tasks();
        // Headers a tool mirrors are learned the same way; a server that
        // expects some we did not know answers -32020, and we learn then.
        // So is whether a tool must be called as a task.
        if (validate || tasks) && !self.shared().tools.knows(&params.name) && self.offers_tools() {
            // Learn the tool's output schema first, as the Python SDK does
            // (boxed, as every cold path here: the call's future stays small).
            if let Err(e) = Box::pin(self.all_tools(CallOptions::default())).await {
                tracing::debug!(error = %e, "could not list tools to learn their schemas");
            }
        }
        if tasks && params.task.is_none() && self.shared().tools.requires_task(&params.name) {
            params.task = Some(TaskMetadata::default());
        }
        let result = match self.typed_request_or_task(&params, &call, tasks).await {
            // The server's view of the tool's headers differs from ours:
            // re-list the tools and retry once, as the spec advises.
            Err(ClientError::Server { error, .. })
                if error.code == mcp_types::error_codes::HEADER_MISMATCH =>
            {
                tracing::debug!(tool = %params.name, "header mismatch: re-listing tools and retrying once");
                self.shared().tools_changed();
                Box::pin(async {
                    self.all_tools(CallOptions::new().bypass_cache()).await?;
                    self.typed_request_or_task(&params, &call, tasks).await
                })
                .await?
            }
            other => other?,
        };
        if validate {
            return self.shared().tools.check(&params.name, result);
        }
        Ok(result)
    }

    /// True when a call may be made as a task of 2025-11-25: the user
    /// enabled tasks, the initialize era was negotiated, and the server
    /// takes task-augmented `tools/call`.
    fn initialize_era_tasks(&self) -> bool {
        if !self.options().tasks {
            return false;
        }
        let Ok(state) = self.established(methods::TOOLS_CALL) else {
            return false;
        };
        let takes_calls = state
            .negotiated
            .capabilities
            .tasks
            .as_ref()
            .and_then(|t| t.requests.as_ref())
            .and_then(|r| r.get("tools"))
            .is_some_and(|t| t.get("call").is_some());
        matches!(state.era, EraState::Initialize) && takes_calls
    }

    /// `tools/call`; with `tasks` and a `task` parameter, the task the
    /// server answers with is awaited to its result (2025-11-25).
    async fn typed_request_or_task(
        &self,
        params: &CallToolRequestParams,
        call: &CallOptions,
        tasks: bool,
    ) -> Result<CallToolResult> {
        if !(tasks && params.task.is_some()) {
            return self.typed_request::<CallToolRequest>(params, call).await;
        }
        let raw = self.request_value(methods::TOOLS_CALL, params, call).await?;
        let created: CreatedProbe = crate::wire::decode(methods::TOOLS_CALL, &raw)?;
        // A server may run the call at once all the same.
        if created.task.is_none() || created.content.is_some() {
            return crate::wire::decode(methods::TOOLS_CALL, &raw);
        }
        let cx = self.ctx();
        let poll = crate::tasks::TaskPoll {
            wire: cx.wire,
            options: self.options(),
            session: cx.session,
            meta: None,
            call,
        };
        let result = Box::pin(poll.await_initialize_era_task(methods::TOOLS_CALL, &raw)).await?;
        crate::wire::decode(methods::TOOLS_CALL, &result)
    }

    fn offers_tools(&self) -> bool {
        self.server_capabilities().is_none_or(|c| c.tools.is_some())
    }

    /// Lists the server's resources (one page).
    pub fn list_resources(
        &self,
        cursor: Option<String>,
    ) -> Call<ListResourcesResult, impl CallOp<ListResourcesResult> + '_> {
        self.request_owned::<ListResourcesRequest>(page(cursor))
    }

    /// Lists every resource, following cursors.
    pub fn list_all_resources(&self) -> Call<Vec<Resource>, impl CallOp<Vec<Resource>> + '_> {
        self.all::<ListResourcesRequest, _>(|r| (r.resources, r.next_cursor))
    }

    /// Lists the server's resource templates (one page).
    pub fn list_resource_templates(
        &self,
        cursor: Option<String>,
    ) -> Call<ListResourceTemplatesResult, impl CallOp<ListResourceTemplatesResult> + '_> {
        self.request_owned::<ListResourceTemplatesRequest>(page(cursor))
    }

    /// Lists every resource template, following cursors.
    pub fn list_all_resource_templates(
        &self,
    ) -> Call<Vec<ResourceTemplate>, impl CallOp<Vec<ResourceTemplate>> + '_> {
        self.all::<ListResourceTemplatesRequest, _>(|r| (r.resource_templates, r.next_cursor))
    }

    /// Reads a resource.
    pub fn read_resource(
        &self,
        uri: impl Into<String>,
    ) -> Call<ReadResourceResult, impl CallOp<ReadResourceResult> + '_> {
        self.request_owned::<ReadResourceRequest>(ReadResourceRequestParams::new(uri))
    }

    /// Subscribes to updates of a resource: `resources/subscribe` in the
    /// initialize era, a `subscriptions/listen` filter (acknowledged by the
    /// server) in the stateless era. Updates reach the message handler.
    pub fn subscribe_resource(
        &self,
        uri: impl Into<String>,
    ) -> Call<EmptyResult, impl CallOp<EmptyResult> + '_> {
        self.subscription(uri.into(), true)
    }

    /// Ends a subscription to a resource.
    pub fn unsubscribe_resource(
        &self,
        uri: impl Into<String>,
    ) -> Call<EmptyResult, impl CallOp<EmptyResult> + '_> {
        self.subscription(uri.into(), false)
    }

    fn subscription(&self, uri: String, on: bool) -> Call<EmptyResult, impl CallOp<EmptyResult> + '_> {
        Call::new(move |o: CallOptions| async move {
            let method = if on {
                methods::RESOURCES_SUBSCRIBE
            } else {
                methods::RESOURCES_UNSUBSCRIBE
            };
            let established = self.established(method)?;
            established.era.subscribe(&self.ctx(), &uri, on, &o).await
        })
    }

    /// Lists the server's prompts (one page).
    pub fn list_prompts(
        &self,
        cursor: Option<String>,
    ) -> Call<ListPromptsResult, impl CallOp<ListPromptsResult> + '_> {
        self.request_owned::<ListPromptsRequest>(page(cursor))
    }

    /// Lists every prompt, following cursors.
    pub fn list_all_prompts(&self) -> Call<Vec<Prompt>, impl CallOp<Vec<Prompt>> + '_> {
        self.all::<ListPromptsRequest, _>(|r| (r.prompts, r.next_cursor))
    }

    /// Gets a prompt, filled in with `arguments`: pairs of strings
    /// (`[("name", "Ada")]`, a `HashMap<&str, &str>`, a `BTreeMap`…), or
    /// `()`/`None` for none.
    pub fn get_prompt(
        &self,
        name: impl Into<String>,
        arguments: impl IntoPromptArguments,
    ) -> Call<GetPromptResult, impl CallOp<GetPromptResult> + '_> {
        let mut params = GetPromptRequestParams::new(name);
        params.arguments = arguments.into_prompt_arguments();
        self.request_owned::<GetPromptRequest>(params)
    }

    /// Sets the level of log messages the server sends: `logging/setLevel` in
    /// the initialize era; in the stateless era every later request carries
    /// it as `_meta.logLevel`.
    pub fn set_logging_level(&self, level: LoggingLevel) -> Call<EmptyResult, impl CallOp<EmptyResult> + '_> {
        Call::new(move |o: CallOptions| async move {
            let established = self.established(methods::LOGGING_SET_LEVEL)?;
            established.era.set_logging_level(&self.ctx(), level, &o).await
        })
    }

    /// Reports progress of a request the server sent us (its token is in
    /// the callback's [`RequestContext`](crate::RequestContext)).
    pub async fn send_progress_notification(
        &self,
        progress_token: ProgressToken,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> Result<()> {
        let mut params = ProgressNotificationParams::new(progress_token, progress);
        params.total = total;
        params.message = message;
        self.send_notification::<ProgressNotification>(&params).await
    }

    /// Checks that the server is alive (initialize era; protocol 2026-07-28
    /// removed `ping`).
    pub fn send_ping(&self) -> Call<EmptyResult, impl CallOp<EmptyResult> + '_> {
        Call::new(move |o: CallOptions| async move {
            let established = self.established(methods::PING)?;
            established
                .era
                .initialize_only(methods::PING, "any request shows that the server is alive")?;
            self.typed_request::<PingRequest>(&Default::default(), &o).await
        })
    }

    /// Asks for completions of a prompt or resource-template argument, with
    /// the values of the other arguments as context (or `()`).
    pub fn complete(
        &self,
        reference: CompletionReference,
        argument: CompleteArgument,
        context_arguments: impl IntoPromptArguments,
    ) -> Call<CompleteResult, impl CallOp<CompleteResult> + '_> {
        let context = context_arguments
            .into_prompt_arguments()
            .map(|arguments| CompleteContext {
                arguments: Some(arguments),
            });
        let params = CompleteRequestParams {
            reference,
            argument,
            context,
            meta: None,
            extra: Map::new(),
        };
        self.request_owned::<CompleteRequest>(params)
    }

    /// Tells the server that our roots changed (initialize era; protocol
    /// 2026-07-28 removed this notification: servers ask for roots with
    /// each request that needs them).
    pub async fn send_roots_list_changed(&self) -> Result<()> {
        let method = RootsListChangedNotification::METHOD;
        self.established(method)?
            .era
            .initialize_only(method, "servers ask for roots with each request that needs them")?;
        self.send_notification::<RootsListChangedNotification>(&Default::default())
            .await
    }

    /// Asks the server for its identity and capabilities again (stateless
    /// era; served from the cache while fresh).
    pub fn discover(&self) -> Call<DiscoverResult, impl CallOp<DiscoverResult> + '_> {
        Call::new(move |o: CallOptions| async move {
            self.established(methods::SERVER_DISCOVER)?
                .era
                .stateless(methods::SERVER_DISCOVER)?;
            self.typed_request::<DiscoverRequest>(&DiscoverRequestParams::default(), &o)
                .await
        })
    }

    /// Sends any request, typed by its method marker (for example
    /// `mcp_types::ListToolsRequest`). In the stateless era the request
    /// carries the per-request `_meta`, input requests are answered through
    /// the callbacks and the request retried, and cacheable results are
    /// cached.
    pub fn send_request<'a, M: RequestMethod>(
        &'a self,
        params: &'a M::Params,
    ) -> Call<M::Result, impl CallOp<M::Result> + 'a>
    where
        M::Params: Sync,
    {
        Call::new(move |o: CallOptions| async move { self.typed_request::<M>(params, &o).await })
    }

    fn request_owned<M: RequestMethod>(
        &self,
        params: M::Params,
    ) -> Call<M::Result, impl CallOp<M::Result> + '_>
    where
        M::Params: Send + Sync + 'static,
        M::Result: Send,
    {
        Call::new(move |o: CallOptions| async move { self.typed_request::<M>(&params, &o).await })
    }

    fn all<M, T>(&self, split: Split<M::Result, T>) -> Call<Vec<T>, impl CallOp<Vec<T>> + '_>
    where
        M: RequestMethod<Params = PaginatedRequestParams> + 'static,
        M::Result: Send + 'static,
        T: Send + 'static,
    {
        Call::new(move |o: CallOptions| async move {
            all_pages(
                M::METHOD,
                |c| {
                    let o = o.clone();
                    async move { self.sized_request::<M>(&page(c), &o).await }
                },
                split,
            )
            .await
        })
    }

    /// Sends any notification, typed by its method marker (after the
    /// handshake only).
    pub async fn send_notification<M: NotificationMethod>(&self, params: &M::Params) -> Result<()>
    where
        M::Params: Serialize,
    {
        self.established(M::METHOD)?;
        let raw = mcp_jsonrpc::to_raw(params).map_err(|source| ClientError::Encode {
            method: M::METHOD.to_owned(),
            source,
        })?;
        let raw = (raw.get() != "{}" && raw.get() != "null").then_some(raw);
        Ok(self.wire().peer.notify(M::METHOD, raw).await?)
    }

    /// One exchange of a request that may ask for input, for callers that
    /// answer input requests themselves: pass `input` = the answers and the
    /// `requestState` of the previous round (`None` the first time).
    /// Stateless era only.
    pub fn request_once<'a, M: RequestMethod>(
        &'a self,
        params: &'a M::Params,
        input: Option<(&'a InputResponses, Option<&'a str>)>,
    ) -> Call<RoundResult<M::Result>, impl CallOp<RoundResult<M::Result>> + 'a>
    where
        M::Params: Sync,
    {
        Call::new(move |o: CallOptions| async move {
            let established = self.established(M::METHOD)?;
            let stateless = established.era.stateless(M::METHOD)?;
            stateless
                .request_once(&self.ctx(), M::METHOD, params, input, &o)
                .await
        })
    }
}

/// Follows cursors until the last page; refuses a cursor seen before and
/// more than [`MAX_PAGES`] pages or [`MAX_LISTED_BYTES`] bytes. `fetch`
/// returns each page with its size in bytes.
pub(crate) async fn all_pages<R, T, F, Fut>(
    method: &str,
    mut fetch: F,
    split: impl Fn(R) -> (Vec<T>, Option<String>),
) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(R, usize)>>,
{
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor = None;
    let mut bytes = 0usize;
    for pages in 1..=MAX_PAGES {
        let (result, size) = fetch(cursor).await?;
        bytes = bytes.saturating_add(size);
        if bytes > MAX_LISTED_BYTES {
            return Err(ClientError::ListingTooLarge {
                method: method.to_owned(),
                pages,
                bytes,
            });
        }
        let (page, next) = split(result);
        items.extend(page);
        match next {
            None => return Ok(items),
            Some(next) if !seen.insert(next.clone()) => {
                return Err(ClientError::InvalidResponse {
                    method: method.to_owned(),
                    detail: format!(
                        "the server returned the cursor {next:?} twice; stopping to avoid a loop"
                    ),
                })
            }
            Some(next) => cursor = Some(next),
        }
    }
    Err(ClientError::ListingTooLarge {
        method: method.to_owned(),
        pages: MAX_PAGES,
        bytes,
    })
}
