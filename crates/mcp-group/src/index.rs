//! The group's index: every server's components under their group names,
//! and where each name leads.

use std::collections::{BTreeMap, HashMap};

use crate::names::{assign, ComponentNameHook};
use crate::server::{Lists, Server};

/// Where a group name leads: the server and the component's own name (for
/// resources, its URI); and where the component sits in the state, valid
/// until the next rebuild (every change of the servers or their lists
/// rebuilds the index under the same lock).
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) server: String,
    pub(crate) original: String,
    /// The server's position among the group's servers.
    pub(crate) server_at: usize,
    /// The component's position in that server's list.
    pub(crate) item_at: usize,
}

/// The group names of every server's components.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub(crate) tools: BTreeMap<String, Route>,
    pub(crate) prompts: BTreeMap<String, Route>,
    pub(crate) resources: BTreeMap<String, Route>,
    /// Each listed resource URI and the position of the first server
    /// listing it, for routing reads.
    pub(crate) by_uri: HashMap<String, usize>,
}

impl Index {
    /// Names every component, servers in the order they were added.
    /// Servers that are down keep their names, so that a call to one of
    /// their components says why it cannot go through.
    pub(crate) fn build(servers: &[Server], hook: Option<&ComponentNameHook>) -> Index {
        Index {
            tools: table(servers, hook, |l| l.tools.as_deref(), |t| (&t.name, &t.name)),
            prompts: table(servers, hook, |l| l.prompts.as_deref(), |p| (&p.name, &p.name)),
            // Resources are named by name, and reached by URI.
            resources: table(servers, hook, |l| l.resources.as_deref(), |r| (&r.name, &r.uri)),
            by_uri: by_uri(servers),
        }
    }
}

fn by_uri(servers: &[Server]) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (at, s) in servers.iter().enumerate() {
        for r in s.lists.resources.as_deref().unwrap_or_default() {
            map.entry(r.uri.clone()).or_insert(at);
        }
    }
    map
}

/// The group names of one kind of component over every server; `ids`
/// gives a component's name and what reaches it on the wire.
fn table<T>(
    servers: &[Server],
    hook: Option<&ComponentNameHook>,
    items: impl Fn(&Lists) -> Option<&[T]>,
    ids: impl Fn(&T) -> (&String, &String),
) -> BTreeMap<String, Route> {
    let ids = &ids;
    let components: Vec<(usize, &Server, usize, &String, &String)> = servers
        .iter()
        .enumerate()
        .flat_map(|(server_at, s)| {
            items(&s.lists)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(move |(item_at, i)| {
                    let (name, key) = ids(i);
                    (server_at, s, item_at, name, key)
                })
        })
        .collect();
    let names = assign(
        components
            .iter()
            .map(|(_, s, _, n, _)| (s.name.as_str(), &s.info, n.as_str())),
        hook,
    );
    names
        .into_iter()
        .zip(components)
        .map(|(group_name, (server_at, s, item_at, _, original))| {
            (
                group_name,
                Route {
                    server: s.name.clone(),
                    original: original.clone(),
                    server_at,
                    item_at,
                },
            )
        })
        .collect()
}
