//! [`ClientSessionGroup`]: the servers, their components by group name,
//! routing, restarts and teardown.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use mcp_client::types::{
    CallToolResult, GetPromptResult, Implementation, Prompt, ReadResourceResult, Resource, Tool,
};
use mcp_client::{
    CallOptions, ClientSession, ClientSessionOptions, Connect, Connection, IntoArguments, IntoPromptArguments,
};
use tokio::sync::watch;

use crate::error::{GroupError, Result};
use crate::index::{Index, Route};
use crate::names::{template_matches, unique_server_name};
use crate::options::GroupOptions;
use crate::params::ServerParameters;
use crate::server::{fetch, watch, Kinds, Lists, Server, Status, Watched};

#[derive(Default)]
struct State {
    servers: Vec<Server>,
    index: Index,
    epochs: u64,
}

struct Inner {
    options: GroupOptions,
    state: Mutex<State>,
    changes: watch::Sender<u64>,
}

/// A component of one server, under its name in the group.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Component<T> {
    /// The name in the group (what [`ClientSessionGroup::call_tool`] and
    /// the maps take).
    pub name: String,
    /// The server's name in the group.
    pub server: String,
    /// The component as the server listed it (its own name included).
    pub item: T,
}

/// Many MCP servers as one, as the Python SDK's `ClientSessionGroup`.
///
/// - **Names.** Each server's tools, prompts and resources are listed under
///   a group name: the [`component_name_hook`](GroupOptions::component_name_hook)'s
///   answer, or the component's own name. The first server to claim a name
///   keeps it; a later server's colliding component is named
///   `{server}_{name}` (then `{server}_{name}_2`, …), never refused and
///   never shadowed. The original name is what goes on the wire.
///   Resources are read by URI, routed to the server listing it (or a
///   template matching it).
/// - **Complete listings:** every page of every list a server offers,
///   refreshed (debounced) when the server says a list changed, in either
///   era; [`changes`](Self::changes) tells when.
/// - **Isolation:** each server connects with its own timeout; one failing
///   leaves the others, and nothing of it behind. A server that dies is
///   unavailable (its calls fail at once, naming it) while the others go
///   on; with a [`RestartPolicy`](crate::RestartPolicy) it is started again
///   on its next use.
/// - **Cleanup:** [`close`](Self::close) closes every session concurrently,
///   bounded; dropping the group drops them, which kills stdio servers'
///   process groups. Any task may close it.
///
/// Cheap to clone: clones share the servers.
#[derive(Clone)]
pub struct ClientSessionGroup {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ClientSessionGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSessionGroup")
            .field("servers", &self.server_names())
            .finish()
    }
}

impl Default for ClientSessionGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientSessionGroup {
    /// An empty group with the default options.
    pub fn new() -> Self {
        Self::with_options(GroupOptions::default())
    }

    /// An empty group.
    pub fn with_options(options: GroupOptions) -> Self {
        ClientSessionGroup {
            inner: Arc::new(Inner {
                options,
                state: Mutex::new(State::default()),
                changes: watch::Sender::new(0),
            }),
        }
    }

    /// Connects a server and adds it under the name it gives itself
    /// (`serverInfo.name`, made unique in the group).
    pub async fn connect_to_server(&self, params: impl Into<ServerParameters>) -> Result<ClientSession> {
        self.connect_named(None, params.into()).await
    }

    /// Connects a server and adds it under `name` (as a config file names
    /// it); a name already in the group is refused.
    pub async fn connect_to_server_as(
        &self,
        name: impl Into<String>,
        params: impl Into<ServerParameters>,
    ) -> Result<ClientSession> {
        self.connect_named(Some(name.into()), params.into()).await
    }

    /// Connects many servers in parallel, each bounded by the connect
    /// timeout, and adds those that connect (in the order given, so that
    /// names are assigned the same way every time). One result per server,
    /// in order; a failure names its server and leaves nothing behind.
    pub async fn connect_all<N: Into<String>>(
        &self,
        servers: impl IntoIterator<Item = (N, ServerParameters)>,
    ) -> Vec<Result<ClientSession>> {
        let opening: Vec<_> = servers
            .into_iter()
            .map(|(name, params)| {
                let name = name.into();
                async move {
                    let options = self.inner.options.session.clone();
                    let opened = self.open(&name, params.connector(), options).await;
                    (name, opened)
                }
            })
            .collect();
        let opened = futures_util::future::join_all(opening).await;
        let mut results = Vec::with_capacity(opened.len());
        for (name, outcome) in opened {
            results.push(match outcome {
                Ok((session, lists)) => self.add(Some(name), session, lists).await,
                Err(e) => Err(e),
            });
        }
        results
    }

    /// Adds a session the caller opened (making its handshake first if it
    /// has not been made); it is restarted only if it was opened from
    /// parameters.
    pub async fn connect_with_session(&self, session: ClientSession) -> Result<ClientSession> {
        let label = || {
            session
                .reconnector()
                .map_or_else(|| "the session's server".to_owned(), |c| c.describe())
        };
        let opened = async {
            if session.negotiated().is_none() {
                session
                    .initialize()
                    .await
                    .map_err(GroupError::connecting(label()))?;
            }
            fetch(&session, Kinds::ALL)
                .await
                .map_err(GroupError::connecting(label()))
        };
        let after = self.inner.options.connect_timeout;
        match tokio::time::timeout(after, opened).await {
            Ok(Ok(lists)) => self.add(None, session, lists).await,
            Ok(Err(e)) => Err(e),
            Err(_) => Err(GroupError::ConnectTimeout {
                server: label(),
                after,
            }),
        }
    }

    async fn connect_named(&self, name: Option<String>, params: ServerParameters) -> Result<ClientSession> {
        let label = name.clone().unwrap_or_else(|| params.describe());
        let options = self.inner.options.session.clone();
        let (session, lists) = self.open(&label, params.connector(), options).await?;
        self.add(name, session, lists).await
    }

    /// Opens a session from `connector` and fetches its lists, within the
    /// connect timeout; on failure nothing is left open.
    async fn open(
        &self,
        label: &str,
        connector: Arc<dyn Connect>,
        options: ClientSessionOptions,
    ) -> Result<(ClientSession, Lists)> {
        let opening = async {
            let session = ClientSession::connect(Connection::shared_connector(connector), options)
                .await
                .map_err(GroupError::connecting(label))?;
            match fetch(&session, Kinds::ALL).await {
                Ok(lists) => Ok((session, lists)),
                Err(source) => {
                    session.close().await;
                    Err(GroupError::connecting(label)(source))
                }
            }
        };
        let after = self.inner.options.connect_timeout;
        // On timeout the half-open session is dropped, which closes it.
        tokio::time::timeout(after, opening).await.unwrap_or_else(|_| {
            Err(GroupError::ConnectTimeout {
                server: label.to_owned(),
                after,
            })
        })
    }

    /// Adds an open session; closes it when its name is refused.
    async fn add(&self, name: Option<String>, session: ClientSession, lists: Lists) -> Result<ClientSession> {
        let info = session
            .negotiated()
            .map(|n| n.server_info.clone())
            .unwrap_or_else(|| Implementation::new("server", "0"));
        let added = {
            let mut state = self.state();
            let taken: Vec<&str> = state.servers.iter().map(|s| s.name.as_str()).collect();
            match name {
                Some(name) if taken.contains(&name.as_str()) => {
                    Err(GroupError::DuplicateServer { server: name })
                }
                Some(name) => Ok(name),
                None => Ok(unique_server_name(&info.name, &taken)),
            }
            .map(|name| {
                state.epochs += 1;
                let epoch = state.epochs;
                let watcher = watch(
                    Arc::downgrade(&self.inner),
                    name.clone(),
                    epoch,
                    session.clone(),
                    self.inner.options.refresh_debounce,
                );
                state.servers.push(Server {
                    name,
                    info,
                    connector: session.reconnector(),
                    session: session.clone(),
                    lists,
                    status: Status::Up,
                    epoch,
                    restart_lock: Arc::default(),
                    watcher: Some(watcher),
                });
                self.inner.reindex(&mut state);
            })
        };
        match added {
            Ok(()) => {
                self.inner.changed();
                Ok(session)
            }
            Err(e) => {
                session.close().await;
                Err(e)
            }
        }
    }

    /// Removes the server of `session` (any clone of it) and closes it.
    pub async fn disconnect_from_server(&self, session: &ClientSession) -> Result<()> {
        let name = {
            let state = self.state();
            state
                .servers
                .iter()
                .find(|s| ClientSession::ptr_eq(&s.session, session))
                .map(|s| s.name.clone())
        };
        match name {
            Some(name) => self.disconnect(&name).await,
            None => Err(GroupError::UnknownServer {
                server: "(a session not in this group)".to_owned(),
            }),
        }
    }

    /// Removes the server named `server` and closes its session.
    pub async fn disconnect(&self, server: &str) -> Result<()> {
        let removed = {
            let mut state = self.state();
            let at = state.servers.iter().position(|s| s.name == server);
            let removed = at.map(|i| state.servers.remove(i));
            self.inner.reindex(&mut state);
            removed
        };
        let Some(mut removed) = removed else {
            return Err(GroupError::UnknownServer {
                server: server.to_owned(),
            });
        };
        self.inner.changed();
        removed.watcher = None;
        let closing = removed.session.close();
        let _ = tokio::time::timeout(self.inner.options.close_timeout, closing).await;
        Ok(())
    }

    /// Closes every session, concurrently, within the close timeout (then
    /// drops what is left, which kills stdio servers' process groups). The
    /// group is empty afterwards and can be used again.
    pub async fn close(&self) {
        let servers = {
            let mut state = self.state();
            let servers = std::mem::take(&mut state.servers);
            self.inner.reindex(&mut state);
            servers
        };
        if servers.is_empty() {
            return;
        }
        self.inner.changed();
        let sessions: Vec<ClientSession> = servers.into_iter().map(|s| s.session).collect();
        let closing = futures_util::future::join_all(sessions.iter().map(ClientSession::close));
        if tokio::time::timeout(self.inner.options.close_timeout, closing)
            .await
            .is_err()
        {
            tracing::warn!(
                after = ?self.inner.options.close_timeout,
                "some MCP servers did not close in time; dropping their connections"
            );
        }
    }

    /// The sessions of the servers that are up.
    pub fn sessions(&self) -> Vec<ClientSession> {
        let state = self.state();
        state
            .servers
            .iter()
            .filter(|s| matches!(s.status, Status::Up))
            .map(|s| s.session.clone())
            .collect()
    }

    /// The session of the server named `server`, if it is up.
    pub fn session(&self, server: &str) -> Option<ClientSession> {
        let state = self.state();
        state
            .servers
            .iter()
            .find(|s| s.name == server && matches!(s.status, Status::Up))
            .map(|s| s.session.clone())
    }

    /// The names of the group's servers, in the order they were added.
    pub fn server_names(&self) -> Vec<String> {
        self.state().servers.iter().map(|s| s.name.clone()).collect()
    }

    /// Why the server named `server` is unavailable; `None` when it is up
    /// (or not in the group).
    pub fn unavailable_reason(&self, server: &str) -> Option<String> {
        let state = self.state();
        state
            .servers
            .iter()
            .find(|s| s.name == server)
            .and_then(|s| match &s.status {
                Status::Up => None,
                Status::Down(r) | Status::Failed(r) => Some(r.clone()),
            })
    }

    /// Counts the changes of the group's listings (a server added, removed,
    /// dead, restarted or refreshed after a list change): watch it to know
    /// when to list tools again.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// Every usable tool, by group name.
    pub fn tools(&self) -> BTreeMap<String, Tool> {
        self.tool_list().into_iter().map(|c| (c.name, c.item)).collect()
    }

    /// Every usable prompt, by group name.
    pub fn prompts(&self) -> BTreeMap<String, Prompt> {
        self.prompt_list().into_iter().map(|c| (c.name, c.item)).collect()
    }

    /// Every usable resource, by group name.
    pub fn resources(&self) -> BTreeMap<String, Resource> {
        self.resource_list()
            .into_iter()
            .map(|c| (c.name, c.item))
            .collect()
    }

    /// Every usable tool with its server, sorted by group name.
    pub fn tool_list(&self) -> Vec<Component<Tool>> {
        let state = self.state();
        self.inner
            .list(&state, &state.index.tools, |l| l.tools.as_deref())
    }

    /// Every usable prompt with its server, sorted by group name.
    pub fn prompt_list(&self) -> Vec<Component<Prompt>> {
        let state = self.state();
        self.inner
            .list(&state, &state.index.prompts, |l| l.prompts.as_deref())
    }

    /// Every usable resource with its server, sorted by group name.
    pub fn resource_list(&self) -> Vec<Component<Resource>> {
        let state = self.state();
        self.inner
            .list(&state, &state.index.resources, |l| l.resources.as_deref())
    }

    /// Calls the tool the group names `name` on the server that offers it
    /// (under its own name).
    pub async fn call_tool(&self, name: &str, arguments: impl IntoArguments) -> Result<CallToolResult> {
        self.call_tool_with(name, arguments, CallOptions::default()).await
    }

    /// [`call_tool`](Self::call_tool) with options (timeout, progress,
    /// cancellation).
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: impl IntoArguments,
        options: CallOptions,
    ) -> Result<CallToolResult> {
        let route = self.route(
            |i| &i.tools,
            name,
            || GroupError::UnknownTool {
                name: name.to_owned(),
            },
        )?;
        let session = self.usable(&route.server).await?;
        let called = session
            .call_tool(route.original, arguments)
            .options(options)
            .await;
        called.map_err(GroupError::at(route.server))
    }

    /// Gets the prompt the group names `name` from the server that offers it.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: impl IntoPromptArguments,
    ) -> Result<GetPromptResult> {
        let route = self.route(
            |i| &i.prompts,
            name,
            || GroupError::UnknownPrompt {
                name: name.to_owned(),
            },
        )?;
        let session = self.usable(&route.server).await?;
        let got = session.get_prompt(route.original, arguments).await;
        got.map_err(GroupError::at(route.server))
    }

    /// Reads a resource by URI from the server that lists it, else from one
    /// whose resource template matches it, else from the only server that
    /// offers resources.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult> {
        let server = self.owner_of(uri)?;
        let session = self.usable(&server).await?;
        let read = session.read_resource(uri).await;
        read.map_err(GroupError::at(server))
    }

    fn owner_of(&self, uri: &str) -> Result<String> {
        let state = self.state();
        let servers = &state.servers;
        let listed = state.index.by_uri.get(uri).and_then(|&at| servers.get(at));
        let templated = || {
            servers.iter().find(|s| {
                s.lists
                    .templates
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|t| template_matches(&t.uri_template, uri)))
            })
        };
        let only = || {
            let mut offering = servers.iter().filter(|s| {
                s.session
                    .server_capabilities()
                    .is_some_and(|c| c.resources.is_some())
            });
            match (offering.next(), offering.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        };
        listed
            .or_else(templated)
            .or_else(only)
            .map(|s| s.name.clone())
            .ok_or_else(|| GroupError::UnknownResource { uri: uri.to_owned() })
    }

    fn route(
        &self,
        table: impl Fn(&Index) -> &BTreeMap<String, Route>,
        name: &str,
        unknown: impl FnOnce() -> GroupError,
    ) -> Result<Route> {
        let state = self.state();
        table(&state.index).get(name).cloned().ok_or_else(unknown)
    }

    /// The session of `server`, started again first when it is down and
    /// the restart policy allows.
    async fn usable(&self, server: &str) -> Result<ClientSession> {
        let lock =
            {
                let state = self.state();
                let s = state.servers.iter().find(|s| s.name == server).ok_or_else(|| {
                    GroupError::UnknownServer {
                        server: server.to_owned(),
                    }
                })?;
                match &s.status {
                    Status::Up => return Ok(s.session.clone()),
                    Status::Failed(reason) => return Err(unavailable(server, reason)),
                    Status::Down(reason) if !self.inner.restartable(s) => {
                        return Err(unavailable(server, reason))
                    }
                    Status::Down(_) => s.restart_lock.clone(),
                }
            };
        let _one_at_a_time = lock.lock().await;
        self.restart(server).await
    }

    /// Starts `server` again (its restart lock held): the new session, or
    /// the one another caller brought back meanwhile.
    async fn restart(&self, server: &str) -> Result<ClientSession> {
        let found = self.with_server(server, |s| match &s.status {
            Status::Up => Ok(Ok(s.session.clone())),
            Status::Failed(reason) => Err(unavailable(server, reason)),
            Status::Down(reason) => match (&s.connector, self.inner.options.restart) {
                (Some(c), Some(policy)) => Ok(Err((c.clone(), policy, reason.clone(), s.session.era()))),
                _ => Err(unavailable(server, reason)),
            },
        });
        let (connector, policy, died, era) = match found {
            None => {
                return Err(GroupError::UnknownServer {
                    server: server.to_owned(),
                })
            }
            Some(Err(e)) => return Err(e),
            Some(Ok(Ok(session))) => return Ok(session),
            Some(Ok(Err(down))) => down,
        };
        // A server of the initialize era is spoken to that way again: no
        // discover probe, which such a server may exit on.
        let mut options = self.inner.options.session.clone();
        if era == Some(mcp_client::Era::Initialize) {
            options = options.protocol(mcp_client::ProtocolMode::Initialize);
        }
        let opened = crate::restart::attempts(&policy, server, || {
            self.open(server, connector.clone(), options.clone())
        })
        .await;
        match opened {
            Ok((session, lists)) => {
                self.replace(server, session.clone(), lists);
                Ok(session)
            }
            Err(last) => {
                let reason = format!(
                    "it died ({died}) and {} attempt(s) to start it again failed; the last: {last}",
                    policy.max_attempts
                );
                self.fail(server, reason.clone());
                Err(unavailable(server, &reason))
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state()
    }

    /// Looks at the server named `server`.
    fn with_server<T>(&self, server: &str, f: impl FnOnce(&mut Server) -> T) -> Option<T> {
        let mut state = self.state();
        state.servers.iter_mut().find(|s| s.name == server).map(f)
    }

    /// Puts a new session of `server` in place (after a restart).
    fn replace(&self, server: &str, session: ClientSession, lists: Lists) {
        {
            let mut state = self.state();
            state.epochs += 1;
            let epoch = state.epochs;
            let debounce = self.inner.options.refresh_debounce;
            let weak = Arc::downgrade(&self.inner);
            if let Some(s) = state.servers.iter_mut().find(|s| s.name == server) {
                s.watcher = Some(watch(weak, server.to_owned(), epoch, session.clone(), debounce));
                s.session = session;
                s.lists = lists;
                s.status = Status::Up;
                s.epoch = epoch;
            }
            self.inner.reindex(&mut state);
        }
        self.inner.changed();
    }

    /// Marks `server` as failed for good.
    fn fail(&self, server: &str, reason: String) {
        {
            let mut state = self.state();
            if let Some(s) = state.servers.iter_mut().find(|s| s.name == server) {
                s.status = Status::Failed(reason);
                s.watcher = None;
            }
            self.inner.reindex(&mut state);
        }
        self.inner.changed();
    }
}

fn unavailable(server: &str, reason: &str) -> GroupError {
    GroupError::Unavailable {
        server: server.to_owned(),
        reason: reason.to_owned(),
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state is never left half-updated by a panic; take it as is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// True when a dead server would be started again on use.
    fn restartable(&self, s: &Server) -> bool {
        self.options.restart.is_some() && s.connector.is_some() && !matches!(s.status, Status::Failed(_))
    }

    /// True when calls to the server can go through (now or after a
    /// restart).
    fn usable(&self, s: &Server) -> bool {
        matches!(s.status, Status::Up) || self.restartable(s)
    }

    /// Names every component again, servers in the order they were added.
    /// Servers that are down keep their names, so that a call to one of
    /// their components says why it cannot go through.
    fn reindex(&self, state: &mut State) {
        state.index = Index::build(&state.servers, self.options.component_name_hook.as_ref());
    }

    /// The usable components of `table`, with their items.
    fn list<T: Clone>(
        &self,
        state: &State,
        table: &BTreeMap<String, Route>,
        items: impl Fn(&Lists) -> Option<&[T]>,
    ) -> Vec<Component<T>> {
        table
            .iter()
            .filter_map(|(name, route)| {
                let server = state.servers.get(route.server_at)?;
                if !self.usable(server) {
                    return None;
                }
                let item = items(&server.lists)?.get(route.item_at)?;
                Some(Component {
                    name: name.clone(),
                    server: route.server.clone(),
                    item: item.clone(),
                })
            })
            .collect()
    }
}

/// Dropping the last clone of the group closes its sessions in the
/// background (on the current tokio runtime, if any), even those the caller
/// still holds clones of, as closing the group would.
impl Drop for Inner {
    fn drop(&mut self) {
        let servers = std::mem::take(&mut self.state.get_mut().unwrap_or_else(|e| e.into_inner()).servers);
        if servers.is_empty() {
            return;
        }
        let sessions: Vec<ClientSession> = servers.into_iter().map(|s| s.session).collect();
        let bound = self.options.close_timeout;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let closing = futures_util::future::join_all(sessions.iter().map(ClientSession::close));
                let _ = tokio::time::timeout(bound, closing).await;
            });
        }
    }
}

impl Watched for Inner {
    fn refreshed(&self, server: &str, epoch: u64, lists: Lists) {
        {
            let mut state = self.state();
            let Some(s) = state
                .servers
                .iter_mut()
                .find(|s| s.name == server && s.epoch == epoch)
            else {
                return;
            };
            s.lists.update(lists);
            self.reindex(&mut state);
        }
        self.changed();
    }

    fn closed(&self, server: &str, epoch: u64, reason: String) {
        {
            let mut state = self.state();
            let Some(s) = state
                .servers
                .iter_mut()
                .find(|s| s.name == server && s.epoch == epoch)
            else {
                return;
            };
            if matches!(s.status, Status::Up) {
                tracing::warn!(server = %server, %reason, "an MCP server of the group is gone");
                s.status = Status::Down(reason);
            }
            self.reindex(&mut state);
        }
        self.changed();
    }
}
