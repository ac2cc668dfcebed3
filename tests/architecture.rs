//! The layout docs/architecture.md describes stays true of the code: its map names every source
//! file of the page and the model (a file added, moved or renamed without it fails here), and
//! the view model takes nothing from the components that draw it.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, at any depth.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
    found
}

#[test]
fn the_architecture_map_names_every_source_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = fs::read_to_string(root.join("docs/architecture.md")).expect("docs/architecture.md");
    // The map is the document's first code block.
    let map = doc.split("```").nth(1).expect("a map in a code block");
    let files: Vec<PathBuf> = ["src", "model/src"].iter().flat_map(|dir| sources(&root.join(dir))).collect();
    assert!(files.len() > 60, "{} files found", files.len());
    let mut missing = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|name| name.to_str()).expect("a file name");
        // A name several files share (mod.rs, history.rs) is named once for each of them.
        let sharing = files.iter().filter(|other| other.file_name() == file.file_name()).count();
        // As a name of its own: `crash.rs` is not named by `replica_crash.rs`.
        let named = map
            .match_indices(name)
            .filter(|(at, _)| !map[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            .count();
        if named < sharing {
            missing.push(format!(
                "{} (named {named} times for {sharing} files)",
                file.strip_prefix(root).unwrap().display()
            ));
        }
    }
    missing.dedup();
    assert!(missing.is_empty(), "docs/architecture.md's map does not name: {missing:#?}");
}

#[test]
fn the_view_model_imports_no_component() {
    let view = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui/view");
    let mut reaching = Vec::new();
    for file in sources(&view) {
        let text = fs::read_to_string(&file).expect("a view file");
        // A file's own tests (`mod tests`, last) may reach `super::super`: there it is `view`.
        let code = text.split("\nmod tests").next().unwrap_or(&text);
        for (number, line) in code.lines().enumerate() {
            // Out of `view/`: to `crate::ui::<component>`, or from a view file up to `ui`.
            let to_component = line.contains("crate::ui::") && !line.contains("crate::ui::view");
            if to_component || line.contains("super::super::") {
                reaching.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
            }
        }
    }
    assert!(reaching.is_empty(), "view/ reaches into the components: {reaching:#?}");
}

/// The names of the functions a source defines, and of the methods it calls on `self` or on a
/// part (`self.cluster.lag(..)`, `cluster.crash(..)`, `clients.open(..)`, `cx.send(..)`).
struct Names<'a> {
    defined: Vec<&'a str>,
    called: Vec<&'a str>,
}

fn defined_and_called(source: &str) -> Names<'_> {
    let identifier_at =
        |text: &str| -> usize { text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len()) };
    let defined = source
        .match_indices("fn ")
        .filter(|(at, _)| !source[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(at, _)| &source[at + 3..])
        .map(|rest| &rest[..identifier_at(rest)])
        .filter(|name| !name.is_empty())
        .collect();
    let called = ["self.", "cluster.", "clients.", "cx."]
        .iter()
        .flat_map(|receiver| {
            source
                .match_indices(receiver)
                .filter(|(at, _)| !source[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
                .map(|(at, receiver)| &source[at + receiver.len()..])
        })
        .filter_map(|rest| {
            let end = identifier_at(rest);
            (rest[end..].starts_with('(') && end > 0).then(|| &rest[..end])
        })
        .collect();
    Names { defined, called }
}

#[test]
fn model_files_call_one_way_with_no_cycle() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("model/src");
    let texts: Vec<(String, String)> = sources(&model)
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("a model file");
            // A file's unit tests may call anything.
            let code = text.split("#[cfg(test)]").next().unwrap_or(&text).to_string();
            (path.strip_prefix(&model).unwrap().display().to_string(), code)
        })
        .collect();
    let parsed: Vec<(&str, Names)> =
        texts.iter().map(|(file, code)| (file.as_str(), defined_and_called(code))).collect();
    // A call names its file only when one file defines that name.
    let home = |name: &str| {
        let mut homes = parsed.iter().filter(|(_, names)| names.defined.contains(&name)).map(|(file, _)| *file);
        homes.next().filter(|_| homes.next().is_none())
    };
    let calls = |from: &str, to: &str| {
        parsed
            .iter()
            .find(|(file, _)| *file == from)
            .is_some_and(|(_, names)| names.called.iter().any(|name| home(name) == Some(to)))
    };
    let files: Vec<&str> = parsed.iter().map(|(file, _)| *file).collect();
    assert!(calls("cluster/postgres.rs", "cluster/commit.rs"), "the check sees the cluster hand a report to commit.rs");
    assert!(
        calls("simulation/command.rs", "cluster/failure.rs"),
        "the check sees a command crash a machine through its part"
    );
    // Calls go one way: from the event loop down to the simulation's primitives, never round.
    let mut both_ways = Vec::new();
    for (index, a) in files.iter().enumerate() {
        for b in &files[index + 1..] {
            if calls(a, b) && calls(b, a) {
                both_ways.push(format!("{a} <-> {b}"));
            }
        }
    }
    assert!(both_ways.is_empty(), "model files that call each other both ways: {both_ways:#?}");
    let round = |from: &str, to: &str| matches!((from, to), ("a", "b") | ("b", "c") | ("c", "a"));
    assert_eq!(call_cycle(&["a", "b", "c"], &round), Some(vec!["a", "b", "c", "a"]), "the check finds a cycle");
    assert_eq!(call_cycle(&files, &calls), None, "model files that call round in a cycle");
}

/// A cycle of calls among `files` (the path, its first file again at its end), if there is one.
fn call_cycle<'a>(files: &[&'a str], calls: &dyn Fn(&str, &str) -> bool) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        file: &'a str,
        files: &[&'a str],
        calls: &dyn Fn(&str, &str) -> bool,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(at) = path.iter().position(|on_path| *on_path == file) {
            let mut cycle = path[at..].to_vec();
            cycle.push(file);
            return Some(cycle);
        }
        if done.contains(&file) {
            return None;
        }
        path.push(file);
        for callee in files.iter().filter(|callee| **callee != file && calls(file, callee)) {
            if let Some(cycle) = visit(callee, files, calls, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(file);
        None
    }
    let mut done = Vec::new();
    files.iter().find_map(|file| visit(file, files, calls, &mut Vec::new(), &mut done))
}

/// A kind of machine is registered in one place: each variant of `Machine` in
/// `cluster/machine.rs` names the files of its room, which exist, and has an arm there for what
/// reaches a machine (a message, a timer); no other file tells the kinds apart.
#[test]
fn a_kind_of_machine_is_registered_in_one_place() {
    let cluster = Path::new(env!("CARGO_MANIFEST_DIR")).join("model/src/cluster");
    let seam = fs::read_to_string(cluster.join("machine.rs")).expect("cluster/machine.rs");
    let body = seam.split("pub(crate) enum Machine {").nth(1).and_then(|rest| rest.split("\n}").next());
    let body = body.expect("an enum Machine in cluster/machine.rs");
    let mut kinds = Vec::new();
    let mut doc = String::new();
    for line in body.lines().map(str::trim) {
        if let Some(text) = line.strip_prefix("///") {
            doc.push_str(text);
        } else if let Some((kind, _)) = line.split_once('(') {
            kinds.push((kind.to_string(), std::mem::take(&mut doc)));
        }
    }
    assert!(!kinds.is_empty(), "no kinds of machine found in cluster/machine.rs");
    for (kind, doc) in &kinds {
        let files: Vec<&str> = doc.split('`').filter(|word| word.ends_with(".rs")).collect();
        assert!(!files.is_empty(), "the doc of Machine::{kind} names no file of its room");
        for file in files {
            assert!(cluster.join(file).is_file(), "Machine::{kind} names {file}, which is not in cluster/");
        }
        let arms = seam.matches(&format!("Machine::{kind}(_)")).count();
        assert_eq!(arms, 2, "Machine::{kind} has {arms} arms in machine.rs, not one for a message and one for a timer");
    }
    let mut telling_apart = Vec::new();
    for file in sources(cluster.parent().expect("model/src")) {
        if file.ends_with("cluster/machine.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).expect("a model file");
        for (number, line) in text.lines().enumerate() {
            // A kind in a pattern (an arm, a `let`, `matches!`); building a machine is no test.
            let pattern = line.contains("=>") || line.contains("let Machine::") || line.contains("matches!");
            if line.contains("Machine::") && pattern {
                telling_apart.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
            }
        }
    }
    assert!(telling_apart.is_empty(), "kinds of machine told apart outside cluster/machine.rs: {telling_apart:#?}");
}

/// A file says one thing: none of the page's or the model's is over 450 lines, its unit tests
/// (`#[cfg(test)]`, last) aside.
#[test]
fn no_source_file_is_over_450_lines_outside_its_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut long = Vec::new();
    for file in ["src", "model/src"].iter().flat_map(|dir| sources(&root.join(dir))) {
        let text = fs::read_to_string(&file).expect("a source file");
        let lines = text.split("#[cfg(test)]").next().unwrap_or(&text).lines().count();
        if lines > 450 {
            long.push(format!("{}: {lines} lines", file.strip_prefix(root).unwrap().display()));
        }
    }
    assert!(long.is_empty(), "files over 450 lines outside their tests: {long:#?}");
}
