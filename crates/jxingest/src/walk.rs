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

/// Lists PDFs under `root` (recursively; symlinked directories are not
/// followed, so a link loop cannot trap the walk). A file root is itself.
pub fn pdfs(root: &Path) -> std::io::Result<Vec<Input>> {
    let meta = std::fs::metadata(root)?;
    if meta.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![Input {
            rel: name,
            path: root.to_path_buf(),
        }]);
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            let path = entry.path();
            if ft.is_dir() {
                stack.push(path);
            } else if (ft.is_file() || ft.is_symlink()) && is_pdf_name(&path) {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(Input { rel, path });
            }
        }
    }
    out.sort();
    Ok(out)
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
        let found: Vec<String> = pdfs(&dir).unwrap().into_iter().map(|i| i.rel).collect();
        assert_eq!(found, vec!["a.pdf", "b/c/x.PDF"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
