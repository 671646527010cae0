//! Writing results: one JSON per form under `OUT/<relative path without
//! .pdf>/NN.json`, each written atomically (temporary file, fsync, rename),
//! so an interrupted run never leaves a half-written document.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The folder of a file's forms: its relative path without the extension,
/// with every component checked to stay under `out`.
pub fn form_dir(out: &Path, rel: &str) -> PathBuf {
    let stem = rel
        .strip_suffix(".pdf")
        .or_else(|| rel.strip_suffix(".PDF"))
        .unwrap_or(rel);
    let mut dir = out.to_path_buf();
    for part in Path::new(stem).components() {
        if let Component::Normal(p) = part {
            dir.push(p);
        }
    }
    dir
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Pretty JSON, UTF-8 with Chinese as characters, ending in a newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(value).expect("records serialize");
    v.push(b'\n');
    v
}

/// Removes `NN.json` files in `dir` beyond the `kept` forms just written, so
/// a rerun on a changed file leaves no stale form behind.
pub fn remove_stale_forms(dir: &Path, kept: usize) -> std::io::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries {
        let p = e?.path();
        let stale = p
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<usize>().ok())
            .is_some_and(|n| n > kept)
            && p.extension().is_some_and(|x| x == "json");
        if stale {
            std::fs::remove_file(p)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_dir_stays_under_out() {
        let out = Path::new("/o");
        assert_eq!(
            form_dir(out, "2024/社保.pdf"),
            PathBuf::from("/o/2024/社保")
        );
        assert_eq!(form_dir(out, "../../etc/x.pdf"), PathBuf::from("/o/etc/x"));
        assert_eq!(form_dir(out, "/abs/y.pdf"), PathBuf::from("/o/abs/y"));
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("jx-out-{}", std::process::id()));
        let p = dir.join("01.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
