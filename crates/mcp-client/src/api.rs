//! The calls of [`ClientSession`], one per protocol operation, named as in
//! the Python SDK.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;

use mcp_types::{
    CallToolRequest, CallToolRequestParams, CallToolResult, CompleteArgument, CompleteContext,
    CompleteRequest, CompleteRequestParams, CompleteResult, CompletionReference, EmptyResult,
    GetPromptRequest, GetPromptRequestParams, GetPromptResult, ListPromptsRequest, ListPromptsResult,
    ListResourceTemplatesRequest, ListResourceTemplatesResult, ListResourcesRequest, ListResourcesResult,
    ListToolsRequest, ListToolsResult, LoggingLevel, PaginatedRequestParams, PingRequest,
    ProgressNotification, ProgressNotificationParams, ProgressToken, Prompt, ReadResourceRequest,
    ReadResourceRequestParams, ReadResourceResult, Resource, ResourceTemplate, RootsListChangedNotification,
    SetLevelRequest, SetLevelRequestParams, SubscribeRequest, SubscribeRequestParams, Tool,
    UnsubscribeRequest, UnsubscribeRequestParams,
};
use serde_json::{Map, Value};

use crate::error::{ClientError, Result};
use crate::options::CallOptions;
use crate::session::ClientSession;

/// Most pages a `list_all_*` call follows before it gives up on a server
/// that never stops paginating.
pub const MAX_PAGES: usize = 10_000;

fn page(cursor: Option<String>) -> PaginatedRequestParams {
    PaginatedRequestParams {
        cursor,
        ..Default::default()
    }
}

impl ClientSession {
    /// Lists the server's tools (one page).
    pub async fn list_tools(&self, cursor: Option<String>) -> Result<ListToolsResult> {
        let result = self
            .send_request::<ListToolsRequest>(&page(cursor), CallOptions::default())
            .await?;
        self.tool_schemas().record(&result.tools);
        Ok(result)
    }

    /// Lists every tool, following cursors.
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>> {
        let tools = all_pages("tools/list", |c| self.list_tools(c), |r| (r.tools, r.next_cursor)).await?;
        self.tool_schemas().record_complete();
        Ok(tools)
    }

    /// Calls a tool. The structured result is validated against the tool's
    /// `outputSchema` (fetched with `tools/list` if not yet known).
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: Option<Map<String, Value>>,
    ) -> Result<CallToolResult> {
        let mut params = CallToolRequestParams::new(name);
        params.arguments = arguments;
        self.call_tool_with(params, CallOptions::default()).await
    }

    /// Calls a tool with full parameters and per-call options (timeout,
    /// progress callback).
    pub async fn call_tool_with(
        &self,
        params: CallToolRequestParams,
        options: CallOptions,
    ) -> Result<CallToolResult> {
        let validate = self.options().validate_tool_output;
        if validate && !self.tool_schemas().knows(&params.name) && self.offers_tools() {
            // Learn the tool's output schema first, as the Python SDK does.
            if let Err(e) = self.list_all_tools().await {
                tracing::debug!(error = %e, "could not list tools to learn output schemas");
            }
        }
        let result = match self
            .send_request::<CallToolRequest>(&params, options.clone())
            .await
        {
            // The server's view of the tool's headers differs from ours:
            // re-list the tools and retry once, as the spec advises.
            Err(ClientError::Server { error, .. })
                if error.code == mcp_types::error_codes::HEADER_MISMATCH =>
            {
                tracing::debug!(tool = %params.name, "header mismatch: re-listing tools and retrying once");
                self.tool_schemas().clear();
                self.list_all_tools_fresh().await?;
                self.send_request::<CallToolRequest>(&params, options).await?
            }
            other => other?,
        };
        if validate {
            self.tool_schemas().check(&params.name, &result)?;
        }
        Ok(result)
    }

    async fn list_all_tools_fresh(&self) -> Result<Vec<Tool>> {
        let fetch = |cursor| async move {
            let result: ListToolsResult = self
                .send_request::<ListToolsRequest>(&page(cursor), CallOptions::new().bypass_cache())
                .await?;
            self.tool_schemas().record(&result.tools);
            Ok(result)
        };
        let tools = all_pages("tools/list", fetch, |r: ListToolsResult| (r.tools, r.next_cursor)).await?;
        self.tool_schemas().record_complete();
        Ok(tools)
    }

    fn offers_tools(&self) -> bool {
        self.server_capabilities().is_none_or(|c| c.tools.is_some())
    }

    /// Lists the server's resources (one page).
    pub async fn list_resources(&self, cursor: Option<String>) -> Result<ListResourcesResult> {
        self.send_request::<ListResourcesRequest>(&page(cursor), CallOptions::default())
            .await
    }

    /// Lists every resource, following cursors.
    pub async fn list_all_resources(&self) -> Result<Vec<Resource>> {
        all_pages(
            "resources/list",
            |c| self.list_resources(c),
            |r| (r.resources, r.next_cursor),
        )
        .await
    }

    /// Lists the server's resource templates (one page).
    pub async fn list_resource_templates(
        &self,
        cursor: Option<String>,
    ) -> Result<ListResourceTemplatesResult> {
        self.send_request::<ListResourceTemplatesRequest>(&page(cursor), CallOptions::default())
            .await
    }

    /// Lists every resource template, following cursors.
    pub async fn list_all_resource_templates(&self) -> Result<Vec<ResourceTemplate>> {
        all_pages(
            "resources/templates/list",
            |c| self.list_resource_templates(c),
            |r| (r.resource_templates, r.next_cursor),
        )
        .await
    }

    /// Reads a resource.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult> {
        let params = ReadResourceRequestParams::new(uri);
        self.send_request::<ReadResourceRequest>(&params, CallOptions::default())
            .await
    }

    /// Subscribes to updates of a resource: `resources/subscribe` in the
    /// initialize era, a `subscriptions/listen` filter (acknowledged by the
    /// server) in the stateless era. Updates reach the message handler.
    pub async fn subscribe_resource(&self, uri: &str) -> Result<EmptyResult> {
        if self.is_stateless() {
            self.listen_resource(uri, true).await?;
            return Ok(EmptyResult::default());
        }
        let params = SubscribeRequestParams {
            uri: uri.to_owned(),
            ..Default::default()
        };
        self.send_request::<SubscribeRequest>(&params, CallOptions::default())
            .await
    }

    /// Ends a subscription to a resource.
    pub async fn unsubscribe_resource(&self, uri: &str) -> Result<EmptyResult> {
        if self.is_stateless() {
            self.listen_resource(uri, false).await?;
            return Ok(EmptyResult::default());
        }
        let params = UnsubscribeRequestParams {
            uri: uri.to_owned(),
            ..Default::default()
        };
        self.send_request::<UnsubscribeRequest>(&params, CallOptions::default())
            .await
    }

    /// Lists the server's prompts (one page).
    pub async fn list_prompts(&self, cursor: Option<String>) -> Result<ListPromptsResult> {
        self.send_request::<ListPromptsRequest>(&page(cursor), CallOptions::default())
            .await
    }

    /// Lists every prompt, following cursors.
    pub async fn list_all_prompts(&self) -> Result<Vec<Prompt>> {
        all_pages(
            "prompts/list",
            |c| self.list_prompts(c),
            |r| (r.prompts, r.next_cursor),
        )
        .await
    }

    /// Gets a prompt, filled in with `arguments`.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: Option<BTreeMap<String, String>>,
    ) -> Result<GetPromptResult> {
        let mut params = GetPromptRequestParams::new(name);
        params.arguments = arguments;
        self.send_request::<GetPromptRequest>(&params, CallOptions::default())
            .await
    }

    /// Sets the level of log messages the server sends: `logging/setLevel` in
    /// the initialize era; in the stateless era every later request carries
    /// it as `_meta.logLevel`.
    pub async fn set_logging_level(&self, level: LoggingLevel) -> Result<EmptyResult> {
        if self.is_stateless() {
            self.set_meta_log_level(&level);
            return Ok(EmptyResult::default());
        }
        let params = SetLevelRequestParams {
            level,
            meta: None,
            extra: Map::new(),
        };
        self.send_request::<SetLevelRequest>(&params, CallOptions::default())
            .await
    }

    /// Reports progress of a request the server sent us.
    pub async fn send_progress_notification(
        &self,
        progress_token: ProgressToken,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> Result<()> {
        let params = ProgressNotificationParams {
            progress_token,
            progress,
            total,
            message,
            meta: None,
            extra: Map::new(),
        };
        self.send_notification::<ProgressNotification>(&params).await
    }

    /// Checks that the server is alive (initialize era; protocol 2026-07-28
    /// removed `ping`).
    pub async fn send_ping(&self) -> Result<EmptyResult> {
        self.not_in_stateless_era("ping")?;
        self.send_request::<PingRequest>(&Default::default(), CallOptions::default())
            .await
    }

    /// Asks for completions of a prompt or resource-template argument.
    pub async fn complete(
        &self,
        reference: CompletionReference,
        argument: CompleteArgument,
        context_arguments: Option<BTreeMap<String, String>>,
    ) -> Result<CompleteResult> {
        let params = CompleteRequestParams {
            reference,
            argument,
            context: context_arguments.map(|arguments| CompleteContext {
                arguments: Some(arguments),
            }),
            meta: None,
            extra: Map::new(),
        };
        self.send_request::<CompleteRequest>(&params, CallOptions::default())
            .await
    }

    /// Tells the server that our roots changed (initialize era; protocol
    /// 2026-07-28 removed this notification: servers ask for roots with
    /// each request that needs them).
    pub async fn send_roots_list_changed(&self) -> Result<()> {
        self.not_in_stateless_era("notifications/roots/list_changed")?;
        self.send_notification::<RootsListChangedNotification>(&Default::default())
            .await
    }
}

impl ClientSession {
    pub(crate) fn is_stateless(&self) -> bool {
        self.modern_meta().is_some()
    }

    fn not_in_stateless_era(&self, method: &str) -> Result<()> {
        if self.is_stateless() {
            return Err(ClientError::NotSupported {
                method: method.to_owned(),
                why: format!(
                    "protocol {} removed it; the session speaks that version",
                    self.protocol_version().unwrap_or_default()
                ),
            });
        }
        Ok(())
    }
}

/// Follows cursors until the last page; refuses a cursor seen before and
/// more than [`MAX_PAGES`] pages.
async fn all_pages<R, T, F, Fut>(
    method: &str,
    mut fetch: F,
    split: impl Fn(R) -> (Vec<T>, Option<String>),
) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<R>>,
{
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let (page, next) = split(fetch(cursor).await?);
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
    Err(ClientError::InvalidResponse {
        method: method.to_owned(),
        detail: format!("more than {MAX_PAGES} pages; stopping"),
    })
}
