//! The group's index: every server's components under their group names,
//! and where each name leads.

use std::collections::BTreeMap;

use crate::names::{assign, ComponentNameHook};
use crate::server::{Lists, Server};

/// Where a group name leads: the server and the component's own name (for
/// resources, its URI).
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) server: String,
    pub(crate) original: String,
}

/// The group names of every server's components.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub(crate) tools: BTreeMap<String, Route>,
    pub(crate) prompts: BTreeMap<String, Route>,
    pub(crate) resources: BTreeMap<String, Route>,
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
        }
    }
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
    let components: Vec<(&Server, &String, &String)> = servers
        .iter()
        .flat_map(|s| {
            items(&s.lists).unwrap_or_default().iter().map(move |i| {
                let (name, key) = ids(i);
                (s, name, key)
            })
        })
        .collect();
    let names = assign(
        components
            .iter()
            .map(|(s, n, _)| (s.name.as_str(), &s.info, n.as_str())),
        hook,
    );
    names
        .into_iter()
        .zip(components)
        .map(|(group_name, (s, _, original))| {
            (
                group_name,
                Route {
                    server: s.name.clone(),
                    original: original.clone(),
                },
            )
        })
        .collect()
}
