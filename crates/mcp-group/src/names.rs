//! Names in the group: what each server's tools, prompts and resources are
//! called, collisions resolved without an error and without shadowing; and
//! which server a resource URI belongs to.

use std::collections::HashSet;
use std::sync::Arc;

use mcp_client::types::Implementation;

/// Renames a component: `(name, server_info) -> name in the group`, as the
/// Python SDK's `component_name_hook`.
pub type ComponentNameHook = Arc<dyn Fn(&str, &Implementation) -> String + Send + Sync>;

/// Assigns group names, in order, to components `(server, server_info,
/// original name)`: the hook's name (or the original); a name already taken
/// becomes `{server}_{name}`, and if that is taken too, `{server}_{name}_2`,
/// `_3`, …. The first to claim a name keeps it.
pub(crate) fn assign<'a>(
    components: impl IntoIterator<Item = (&'a str, &'a Implementation, &'a str)>,
    hook: Option<&ComponentNameHook>,
) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut names = Vec::new();
    for (server, info, original) in components {
        let wanted = match hook {
            Some(hook) => hook(original, info),
            None => original.to_owned(),
        };
        let name = if taken.contains(&wanted) {
            let prefixed = format!("{server}_{wanted}");
            let mut candidate = prefixed.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{prefixed}_{n}");
                n += 1;
            }
            candidate
        } else {
            wanted
        };
        taken.insert(name.clone());
        names.push(name);
    }
    names
}

/// A server name not in `taken`: `wanted`, else `wanted_2`, `wanted_3`, ….
pub(crate) fn unique_server_name(wanted: &str, taken: &[&str]) -> String {
    let wanted = if wanted.is_empty() { "server" } else { wanted };
    if !taken.contains(&wanted) {
        return wanted.to_owned();
    }
    (2..)
        .map(|n| format!("{wanted}_{n}"))
        .find(|c| !taken.contains(&c.as_str()))
        .unwrap_or_else(|| wanted.to_owned())
}

/// True when `uri` is an expansion of the URI template `template` (RFC
/// 6570): its literal parts in order, each expression matching at least one
/// character; simple expressions (`{x}`) stop at `/`, `?` and `#`, reserved
/// and fragment ones (`{+x}`, `{#x}`) do not.
pub(crate) fn template_matches(template: &str, uri: &str) -> bool {
    // The template as literal parts, each followed by the kind of the
    // expression after it (None after the last).
    let mut parts: Vec<(&str, Option<bool>)> = Vec::new();
    let mut rest = template;
    loop {
        match rest.find('{') {
            Some(open) => {
                let Some(close) = rest[open..].find('}') else {
                    parts.push((rest, None));
                    break;
                };
                let expr = &rest[open + 1..open + close];
                let greedy = expr.starts_with('+') || expr.starts_with('#');
                parts.push((&rest[..open], Some(greedy)));
                rest = &rest[open + close + 1..];
            }
            None => {
                parts.push((rest, None));
                break;
            }
        }
    }
    matches_parts(&parts, uri)
}

/// Whether `uri` matches `parts`: the positions reachable after each part,
/// as a set (`O(parts × len²)` at worst, never exponential, whatever the
/// server's template).
fn matches_parts(parts: &[(&str, Option<bool>)], uri: &str) -> bool {
    let len = uri.len();
    let mut reach = vec![false; len + 1];
    reach[0] = true;
    for (literal, expr) in parts {
        let mut next = vec![false; len + 1];
        for pos in (0..=len).filter(|&p| reach[p]) {
            let Some(after) = uri[pos..].strip_prefix(literal) else {
                continue;
            };
            let at = pos + literal.len();
            match expr {
                None => next[at] = true,
                Some(greedy) => {
                    let stop = if *greedy {
                        after.len()
                    } else {
                        after.find(['/', '?', '#']).unwrap_or(after.len())
                    };
                    for i in (1..=stop).filter(|&i| after.is_char_boundary(i)) {
                        next[at + i] = true;
                    }
                }
            }
        }
        reach = next;
    }
    reach[len]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str) -> Implementation {
        Implementation::new(name, "1")
    }

    #[test]
    fn the_first_keeps_a_name_and_later_ones_are_prefixed() {
        let (a, b, c) = (info("a"), info("b"), info("c"));
        let names = assign(
            [
                ("a", &a, "echo"),
                ("b", &b, "echo"),
                ("b", &b, "add"),
                ("c", &c, "echo"),
                ("c", &c, "b_echo"),
            ],
            None,
        );
        assert_eq!(names, ["echo", "b_echo", "add", "c_echo", "c_b_echo"]);
    }

    #[test]
    fn a_prefixed_name_already_taken_gets_a_number() {
        let a = info("a");
        let names = assign([("a", &a, "x"), ("a", &a, "a_x"), ("a", &a, "x")], None);
        assert_eq!(names, ["x", "a_x", "a_x_2"]);
    }

    #[test]
    fn the_hook_names_and_collisions_after_it_are_still_resolved() {
        let (a, b) = (info("alpha"), info("beta"));
        let hook: ComponentNameHook = Arc::new(|name, info| format!("{}.{name}", info.name));
        let names = assign([("a", &a, "echo"), ("b", &b, "echo")], Some(&hook));
        assert_eq!(names, ["alpha.echo", "beta.echo"]);
        let same: ComponentNameHook = Arc::new(|_, _| "same".to_owned());
        let names = assign([("a", &a, "x"), ("b", &b, "y")], Some(&same));
        assert_eq!(names, ["same", "b_same"]);
    }

    #[test]
    fn server_names_are_made_unique() {
        assert_eq!(unique_server_name("s", &[]), "s");
        assert_eq!(unique_server_name("s", &["s", "s_2"]), "s_3");
        assert_eq!(unique_server_name("", &[]), "server");
    }

    #[test]
    fn uri_templates_match_their_expansions_only() {
        assert!(template_matches("greeting://{name}", "greeting://ada"));
        assert!(!template_matches("greeting://{name}", "greeting://"));
        assert!(!template_matches("greeting://{name}", "greeting://a/b"));
        assert!(template_matches("file:///{+path}", "file:///a/b/c.txt"));
        assert!(template_matches("db://{table}/{id}", "db://users/42"));
        assert!(!template_matches("db://{table}/{id}", "db://users"));
        assert!(template_matches("plain://fixed", "plain://fixed"));
        assert!(!template_matches("plain://fixed", "plain://fixed2"));
        assert!(!template_matches("x://{a", "x://b"));
        // Many expressions against a long URI: answered, not backtracked.
        let template = "t://".to_owned() + &"{+x}".repeat(200) + "!";
        assert!(!template_matches(
            &template,
            &("t://".to_owned() + &"y".repeat(2000))
        ));
    }
}
