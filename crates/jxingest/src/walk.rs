//! The input tree: every `.pdf` under the root, in a stable order.

use std::path::{Path, PathBuf};

/// An input file and its path relative to the input root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// `/`-separated path relative to the root (the file name when the root
    /// is a file).
    pub rel: String,
    pub path: PathBuf,
}

/// A folder under the root that could not be listed: a manifest row of its
/// own, and the walk goes on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unlisted {
    /// `/`-separated path of the folder relative to the root.
    pub rel: String,
    pub why: String,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walk {
    pub inputs: Vec<Input>,
    pub unlisted: Vec<Unlisted>,
}

/// Lists PDFs under `root` (recursively; symlinked directories are not
/// followed, so a link loop cannot trap the walk). A file root is itself.
/// Only an unreadable root is an error; an unreadable folder below it is
/// listed in [`Walk::unlisted`].
pub fn pdfs(root: &Path) -> std::io::Result<Walk> {
    let meta = std::fs::metadata(root)?;
    if meta.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(Walk {
            inputs: vec![Input {
                rel: name,
                path: root.to_path_buf(),
            }],
            unlisted: Vec::new(),
        });
    }
    std::fs::read_dir(root)?;
    Ok(walk_with(root, &list_dir))
}

/// What a folder holds, as the walk needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    /// A regular file or a symbolic link to anything (a link to a folder is
    /// not followed; a link to a device is refused when read).
    File,
    Other,
}

fn list_dir(dir: &Path) -> std::io::Result<Vec<(PathBuf, Kind)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Ok(ft) = entry.file_type() else { continue };
        let kind = if ft.is_dir() {
            Kind::Dir
        } else if ft.is_file() || ft.is_symlink() {
            Kind::File
        } else {
            Kind::Other
        };
        out.push((entry.path(), kind));
    }
    Ok(out)
}

type Lister<'a> = &'a dyn Fn(&Path) -> std::io::Result<Vec<(PathBuf, Kind)>>;

fn walk_with(root: &Path, list: Lister<'_>) -> Walk {
    let mut out = Vec::new();
    let mut unlisted = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match list(&dir) {
            Ok(e) => e,
            Err(e) => {
                unlisted.push(Unlisted {
                    rel: rel_of(root, &dir),
                    why: format!("cannot list folder: {e}"),
                });
                continue;
            }
        };
        for (path, kind) in entries {
            match kind {
                Kind::Dir => stack.push(path),
                Kind::File if is_pdf_name(&path) => out.push(Input {
                    rel: rel_of(root, &path),
                    path,
                }),
                _ => {}
            }
        }
    }
    out.sort();
    unlisted.sort();
    Walk {
        inputs: out,
        unlisted,
    }
}

fn rel_of(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_pdf_name(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pdfs_recursively_in_order() {
        let dir = std::env::temp_dir().join(format!("jx-walk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("b/c")).unwrap();
        for f in ["b/c/x.PDF", "a.pdf", "notes.txt"] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        let found: Vec<String> = pdfs(&dir)
            .unwrap()
            .inputs
            .into_iter()
            .map(|i| i.rel)
            .collect();
        assert_eq!(found, vec!["a.pdf", "b/c/x.PDF"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unreadable_folder_is_listed_and_the_walk_goes_on() {
        let dir = std::env::temp_dir().join(format!("jx-walk-locked-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("locked")).unwrap();
        std::fs::write(dir.join("a.pdf"), b"x").unwrap();
        std::fs::write(dir.join("locked/b.pdf"), b"x").unwrap();
        // As root every folder can be listed whatever its mode: refuse one.
        let locked = dir.join("locked");
        let list = |d: &Path| {
            if d == locked {
                Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
            } else {
                list_dir(d)
            }
        };
        let w = walk_with(&dir, &list);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(w.inputs.len(), 1);
        assert_eq!(w.inputs[0].rel, "a.pdf");
        assert_eq!(w.unlisted.len(), 1);
        assert_eq!(w.unlisted[0].rel, "locked");
        assert!(
            w.unlisted[0].why.starts_with("cannot list folder"),
            "{:?}",
            w.unlisted
        );
    }
}
