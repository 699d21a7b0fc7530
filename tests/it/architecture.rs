//! The layers of `src/`, checked from the source itself: which top-level module uses which
//! (every `crate::x` path, `use crate::{x, y}` groups included), no import cycle across two
//! top-level modules, and no web crate inside `src/domain/`.
//!
//! Hand-written rather than `cargo-modules` because it needs no tool installed and runs in the
//! suite in milliseconds; it reads paths as text, which is all the rule needs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Edges that still close a cycle, each to be removed by moving code down a layer. The test
/// fails on any other edge in a cycle, and on an edge here that is gone (so the list shrinks).
const KNOWN_BACK_EDGES: &[(&str, &str)] = &[];

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to; None for lib.rs and main.rs.
fn top_level(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative
        .components()
        .next()?
        .as_os_str()
        .to_str()?
        .to_string();
    match first.as_str() {
        "lib.rs" | "main.rs" => None,
        name => Some(name.trim_end_matches(".rs").to_string()),
    }
}

/// The first segment of every `crate::` path in the text, braces of `use crate::{…}` included.
fn used_modules(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            let mut word = String::new();
            for c in group.chars() {
                if c.is_alphanumeric() || c == '_' {
                    if item_start {
                        word.push(c);
                    }
                    continue;
                }
                if !word.is_empty() {
                    used.insert(std::mem::take(&mut word));
                    item_start = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => item_start = true,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
            }
            if !word.is_empty() {
                used.insert(word);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.insert(name);
        }
    }
    used
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    source_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_level(f)).collect();
    // `pub use state::AppState;` in lib.rs: `crate::AppState` is a use of `state`.
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let reexported: BTreeMap<String, String> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub use ")?.strip_suffix(';'))
        .filter_map(|path| {
            let (module, name) = path.split_once("::")?;
            Some((name.rsplit("::").next()?.to_string(), module.to_string()))
        })
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(from) = top_level(file) else {
            continue;
        };
        // Comments name modules without using them.
        let text: String = std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let targets = graph.entry(from.clone()).or_default();
        for used in used_modules(&text) {
            let used = reexported.get(&used).cloned().unwrap_or(used);
            if used != from && modules.contains(&used) {
                targets.insert(used);
            }
        }
    }
    graph
}

/// Whether `to` reaches `from` again: the edge `from → to` then closes a cycle.
fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, start: &str, goal: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![start.to_string()];
    while let Some(next) = pending.pop() {
        if next == goal {
            return true;
        }
        if seen.insert(next.clone()) {
            pending.extend(graph.get(&next).into_iter().flatten().cloned());
        }
    }
    false
}

#[test]
fn no_import_cycle_crosses_two_top_level_modules() {
    let graph = module_graph();
    let in_cycles: BTreeSet<(String, String)> = graph
        .iter()
        .flat_map(|(from, targets)| targets.iter().map(move |to| (from.clone(), to.clone())))
        .filter(|(from, to)| reaches(&graph, to, from))
        .collect();
    let known: BTreeSet<(String, String)> = KNOWN_BACK_EDGES
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = in_cycles.difference(&known).collect();
    let gone: Vec<_> = known.difference(&in_cycles).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "edges in an import cycle that are not known: {new:?}\n\
         known back edges that no longer close a cycle (remove them from the list): {gone:?}\n\
         the graph: {graph:#?}"
    );
}

#[test]
fn the_domain_uses_no_web_crate() {
    let mut files = Vec::new();
    source_files(&src().join("domain"), &mut files);
    assert!(!files.is_empty(), "src/domain/ exists");
    let web = [
        "axum",
        "askama",
        "askama_web",
        "tower",
        "tower_http",
        "tower_sessions",
        "hyper",
        "hyper_util",
        "crate::web",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for name in web {
                let used = code
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .any(|token| token == name || token.starts_with(&format!("{name}::")));
                assert!(!used, "{} uses {name}: {line}", file.display());
            }
        }
    }
}

#[test]
fn the_module_reader_finds_grouped_and_nested_paths() {
    let used = used_modules(
        "use crate::{AppState, accounts::{self, User}, web::forms};\nlet x = crate::mail::enqueue;",
    );
    let expected: BTreeSet<String> = ["AppState", "accounts", "web", "mail"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(used, expected);
}

/// A file with one clear job fits in 600 lines; a longer one is doing two. Tests included.
#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    source_files(&src(), &mut files);
    source_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
        &mut files,
    );
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            (lines > 600).then(|| format!("{} ({lines} lines)", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

/// SQL is checked at compile time (`query!` and friends). Runtime strings are for queries whose
/// text really varies; each file allowed one says why there.
#[test]
fn sql_is_checked_at_compile_time_except_where_it_varies() {
    // The review queue composes its filter and sort order from fixed fragments.
    const DYNAMIC: &[&str] = &["review/queue.rs"];
    let mut files = Vec::new();
    source_files(&src(), &mut files);
    let mut unchecked = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src()).unwrap().display().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let runtime = [
            "sqlx::query(",
            "sqlx::query_as(",
            "sqlx::query_scalar(",
            "query_as::<",
        ]
        .iter()
        .map(|call| text.matches(call).count())
        .sum::<usize>();
        if runtime > 0 && !DYNAMIC.contains(&relative.as_str()) {
            unchecked.push(format!("{relative} ({runtime})"));
        }
    }
    assert!(
        unchecked.is_empty(),
        "use query! / query_as! / query_scalar!: {unchecked:?}"
    );
}

/// The review workflow's status is written by `workflow::transition` alone, so no page can move
/// an integration past the state machine, the lock or the audit log. (The demo seed creates rows
/// with a status; it updates none.)
#[test]
fn only_the_workflow_transition_writes_an_integrations_status() {
    let mut files = Vec::new();
    source_files(&src(), &mut files);
    let writers: Vec<String> = files
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            squeezed.contains("UPDATE integrations SET status")
                || squeezed.contains("UPDATE integrations SET claimed_by")
        })
        .map(|file| file.strip_prefix(src()).unwrap().display().to_string())
        .collect();
    assert_eq!(writers, ["domain/workflow/transition.rs"]);
}

/// `Page` shows the waiting flash messages; a handler's own `Messages` extracted before it would
/// take them first (each extraction moves the waiting ones into view), so `Page` comes first.
#[test]
fn page_is_extracted_before_messages_so_waiting_flashes_are_shown() {
    let mut files = Vec::new();
    source_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for signature in text.split("async fn ").skip(1) {
            let params = &signature[..signature.find('{').unwrap_or(signature.len())];
            if let (Some(messages), Some(page)) =
                (params.find("messages: Messages"), params.find(": Page,"))
                && messages < page
            {
                let name = &signature[..signature.find('(').unwrap_or(0)];
                wrong.push(format!("{}: {name}", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "put `page: Page` before `messages: Messages`: {wrong:?}"
    );
}
