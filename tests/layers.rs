//! The import graph, checked over the `use` lines and paths of the source: the console's
//! views reach the backend only through the desk (`console/desk.rs`), never the app, the
//! runtime or a backend handle of their own; the domain reaches nothing above it.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every line of the files under `dir` that holds one of `forbidden`, as `file:line: text`.
fn offending_lines(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut offending = Vec::new();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if forbidden.iter().any(|f| code.contains(f)) {
                offending.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
            }
        }
    }
    offending
}

#[test]
fn no_view_imports_the_app_or_holds_the_backend_or_the_runtime() {
    let offending = offending_lines(
        "src/console/views",
        &["console::app", "super::app", "super::super::app", "Jobs", ".jobs", "Arc<dyn", "dyn Backend>", ".backend."],
    );
    assert!(offending.is_empty(), "views reach past the desk:\n{}", offending.join("\n"));
}

#[test]
fn views_run_no_file_dialog_on_the_ui_thread() {
    let offending = offending_lines("src/console/views", &["rfd::FileDialog"]);
    assert!(offending.is_empty(), "a blocking file dialog in a view:\n{}", offending.join("\n"));
}

#[test]
fn the_domain_reaches_nothing_above_it() {
    let offending = offending_lines(
        "src/domain",
        &["crate::store", "crate::service", "crate::backend", "crate::console", "crate::server", "crate::client"],
    );
    assert!(offending.is_empty(), "domain imports a layer above it:\n{}", offending.join("\n"));
}
