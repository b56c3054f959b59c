//! What the session and the handler of server messages share: the
//! options, what is known of the tools, the result cache, the listen
//! acknowledgements, and the hints published to the transport.

use tokio::sync::watch;

use mcp_jsonrpc::SessionHints;

use crate::cache::ResponseCache;
use crate::listen::ListenAcks;
use crate::options::ClientSessionOptions;
use crate::tool_catalog::ToolCatalog;

/// How many times each list of the server changed, as told by its
/// list-changed notifications (in either era); see
/// [`ClientSession::list_changes`](crate::ClientSession::list_changes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListChanges {
    /// `notifications/tools/list_changed` received.
    pub tools: u64,
    /// `notifications/prompts/list_changed` received.
    pub prompts: u64,
    /// `notifications/resources/list_changed` received.
    pub resources: u64,
}

/// Shared by the session and its handler.
pub(crate) struct Shared {
    pub(crate) options: ClientSessionOptions,
    pub(crate) tools: ToolCatalog,
    pub(crate) cache: ResponseCache,
    pub(crate) acks: ListenAcks,
    /// What the transport's binding needs of the session.
    pub(crate) hints: watch::Sender<SessionHints>,
    /// Counts of list-changed notifications, watched by groups.
    pub(crate) changes: watch::Sender<ListChanges>,
}

impl Shared {
    pub(crate) fn new(options: ClientSessionOptions, hints: watch::Sender<SessionHints>) -> Self {
        Shared {
            options,
            tools: ToolCatalog::default(),
            cache: ResponseCache::default(),
            acks: ListenAcks::default(),
            hints,
            changes: watch::Sender::new(ListChanges::default()),
        }
    }

    /// Counts one list-changed notification.
    pub(crate) fn list_changed(&self, which: impl FnOnce(&mut ListChanges) -> &mut u64) {
        self.changes.send_modify(|c| {
            let n = which(c);
            *n = n.wrapping_add(1);
        });
    }

    /// The tool list changed: forget the tools, their cached listings and
    /// the headers the transport mirrors.
    pub(crate) fn tools_changed(&self) {
        self.tools.clear();
        self.cache.invalidate_method(mcp_types::methods::TOOLS_LIST);
        self.hints.send_if_modified(|h| {
            let had = !h.tool_headers.is_empty();
            h.tool_headers = Default::default();
            had
        });
    }
}
