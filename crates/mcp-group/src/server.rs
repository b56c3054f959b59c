//! One server of a group: its session, what it lists, whether it is up;
//! fetching its listings; and the task that watches it (list changes, its
//! connection closing).

use std::sync::{Arc, Weak};
use std::time::Duration;

use mcp_client::types::{Implementation, Prompt, Resource, ResourceTemplate, Tool};
use mcp_client::{ClientError, ClientSession, Connect, ListChanges};
use tokio_util::task::AbortOnDropHandle;

/// Which lists to fetch.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Kinds {
    pub(crate) tools: bool,
    pub(crate) prompts: bool,
    pub(crate) resources: bool,
}

impl Kinds {
    pub(crate) const ALL: Kinds = Kinds {
        tools: true,
        prompts: true,
        resources: true,
    };

    /// The lists whose counts moved from `before` to `now`.
    fn moved(before: &ListChanges, now: &ListChanges) -> Kinds {
        Kinds {
            tools: before.tools != now.tools,
            prompts: before.prompts != now.prompts,
            resources: before.resources != now.resources,
        }
    }

    fn any(&self) -> bool {
        self.tools || self.prompts || self.resources
    }
}

/// A server's listings; a list is `None` when it was not fetched.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lists {
    pub(crate) tools: Option<Vec<Tool>>,
    pub(crate) prompts: Option<Vec<Prompt>>,
    pub(crate) resources: Option<Vec<Resource>>,
    pub(crate) templates: Option<Vec<ResourceTemplate>>,
}

impl Lists {
    /// Takes every list `other` has.
    pub(crate) fn update(&mut self, other: Lists) {
        if other.tools.is_some() {
            self.tools = other.tools;
        }
        if other.prompts.is_some() {
            self.prompts = other.prompts;
        }
        if other.resources.is_some() {
            self.resources = other.resources;
            self.templates = other.templates;
        }
    }
}

/// Whether a server can be used.
#[derive(Debug, Clone)]
pub(crate) enum Status {
    /// Connected.
    Up,
    /// Its connection closed, for this reason.
    Down(String),
    /// Restarting it failed; no more attempts.
    Failed(String),
}

/// One server of the group.
pub(crate) struct Server {
    pub(crate) name: String,
    pub(crate) info: Implementation,
    pub(crate) session: ClientSession,
    pub(crate) connector: Option<Arc<dyn Connect>>,
    pub(crate) lists: Lists,
    pub(crate) status: Status,
    /// Counts the sessions this server has had, so that a late report of
    /// an old one is ignored.
    pub(crate) epoch: u64,
    pub(crate) restart_lock: Arc<tokio::sync::Mutex<()>>,
    pub(crate) watcher: Option<AbortOnDropHandle<()>>,
}

/// Fetches the lists `kinds` asks for that the server offers (every page);
/// a list the server does not offer is empty, and so is one it answers
/// "method not found" for.
pub(crate) async fn fetch(session: &ClientSession, kinds: Kinds) -> Result<Lists, ClientError> {
    let caps = session.server_capabilities().unwrap_or_default();
    let mut lists = Lists::default();
    if kinds.tools {
        lists.tools = Some(if caps.tools.is_some() {
            tolerate(session.list_all_tools().await)?
        } else {
            Vec::new()
        });
    }
    if kinds.prompts {
        lists.prompts = Some(if caps.prompts.is_some() {
            tolerate(session.list_all_prompts().await)?
        } else {
            Vec::new()
        });
    }
    if kinds.resources {
        let offered = caps.resources.is_some();
        lists.resources = Some(if offered {
            tolerate(session.list_all_resources().await)?
        } else {
            Vec::new()
        });
        lists.templates = Some(if offered {
            tolerate(session.list_all_resource_templates().await)?
        } else {
            Vec::new()
        });
    }
    Ok(lists)
}

/// "Method not found" as an empty list; other failures stay failures.
fn tolerate<T>(result: Result<Vec<T>, ClientError>) -> Result<Vec<T>, ClientError> {
    match result {
        Err(e)
            if e.server_error()
                .is_some_and(|e| e.code == mcp_client::error_codes::METHOD_NOT_FOUND) =>
        {
            tracing::debug!(error = %e, "the server does not list this kind; taking it as empty");
            Ok(Vec::new())
        }
        other => other,
    }
}

/// What a watcher tells the group.
pub(crate) trait Watched: Send + Sync + 'static {
    /// The server's lists were fetched again.
    fn refreshed(&self, server: &str, epoch: u64, lists: Lists);
    /// The server's connection closed.
    fn closed(&self, server: &str, epoch: u64, reason: String);
}

/// Watches one session of a server: refreshes its lists when they change
/// (gathering notifications for `debounce`), and reports when its
/// connection closes.
pub(crate) fn watch<G: Watched>(
    group: Weak<G>,
    server: String,
    epoch: u64,
    session: ClientSession,
    debounce: Duration,
) -> AbortOnDropHandle<()> {
    AbortOnDropHandle::new(tokio::spawn(async move {
        let mut changes = session.list_changes();
        let mut seen = *changes.borrow_and_update();
        let closed = session.closed();
        tokio::pin!(closed);
        loop {
            tokio::select! {
                reason = &mut closed => {
                    if let Some(group) = group.upgrade() {
                        group.closed(&server, epoch, reason.to_string());
                    }
                    return;
                }
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    // Gather the burst, then refresh once.
                    tokio::time::sleep(debounce).await;
                    let now = *changes.borrow_and_update();
                    let kinds = Kinds::moved(&seen, &now);
                    seen = now;
                    if !kinds.any() {
                        continue;
                    }
                    match fetch(&session, kinds).await {
                        Ok(lists) => match group.upgrade() {
                            Some(group) => group.refreshed(&server, epoch, lists),
                            None => return,
                        },
                        Err(e) => {
                            tracing::warn!(server = %server, error = %e, "could not refresh the server's lists after a change");
                        }
                    }
                }
            }
        }
    }))
}
