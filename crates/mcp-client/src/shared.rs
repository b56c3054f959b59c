//! What the session and the handler of server messages share: the
//! options, what is known of the tools, the result cache, the listen
//! acknowledgements, and the hints published to the transport.

use tokio::sync::watch;

use mcp_jsonrpc::SessionHints;

use crate::cache::ResponseCache;
use crate::listen::ListenAcks;
use crate::options::ClientSessionOptions;
use crate::tool_catalog::ToolCatalog;

/// Shared by the session and its handler.
pub(crate) struct Shared {
    pub(crate) options: ClientSessionOptions,
    pub(crate) tools: ToolCatalog,
    pub(crate) cache: ResponseCache,
    pub(crate) acks: ListenAcks,
    /// What the transport's binding needs of the session.
    pub(crate) hints: watch::Sender<SessionHints>,
}

impl Shared {
    pub(crate) fn new(options: ClientSessionOptions, hints: watch::Sender<SessionHints>) -> Self {
        Shared {
            options,
            tools: ToolCatalog::default(),
            cache: ResponseCache::default(),
            acks: ListenAcks::default(),
            hints,
        }
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
