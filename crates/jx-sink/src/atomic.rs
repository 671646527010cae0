//! Atomic writes under the output folder: a temporary file, fsync, rename,
//! so an interrupted run never leaves a half-written document; and the
//! guards that keep every write under the output folder (plain names only,
//! no symbolic link written through).

use std::io::Write;
use std::path::{Component, Path};

/// Whether `dir` exists under `out` as plain folders all the way (no
/// symbolic link, nothing else in the way); creates what is missing when
/// `create`.
pub fn dir_under(out: &Path, dir: &Path, create: bool) -> std::io::Result<bool> {
    let rel = dir.strip_prefix(out).map_err(|_| {
        std::io::Error::other(format!("{} is not under the output folder", dir.display()))
    })?;
    let mut cur = out.to_path_buf();
    for c in rel.components() {
        let Component::Normal(name) = c else {
            return Err(std::io::Error::other("path component is not a plain name"));
        };
        cur.push(name);
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(std::io::Error::other(format!(
                    "{} is a symbolic link: not written through",
                    cur.display()
                )));
            }
            Ok(m) if !m.is_dir() => {
                return Err(std::io::Error::other(format!(
                    "{} exists and is not a folder",
                    cur.display()
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match std::fs::create_dir(&cur) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(true)
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

/// Whether `name` is a temporary file [`write_atomic`] makes
/// (`.NAME.PID.tmp`).
fn is_our_temp(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    inner.rsplit_once('.').is_some_and(|(file, pid)| {
        !pid.is_empty()
            && pid.chars().all(|c| c.is_ascii_digit())
            && (file.ends_with(".json") || file.ends_with(".jsonl"))
    })
}

/// Removes the temporary files a killed run left under `out` (symbolic
/// links are not followed). Returns how many were removed.
pub fn remove_leftover_temps(out: &Path) -> usize {
    let mut removed = 0;
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file()
                && is_our_temp(&e.file_name().to_string_lossy())
                && std::fs::remove_file(e.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
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
    use std::path::PathBuf;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("jx-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    #[cfg(unix)]
    fn a_symbolic_link_under_out_is_not_written_through() {
        let out = temp("link");
        let elsewhere = temp("link-target");
        std::os::unix::fs::symlink(&elsewhere, out.join("a")).unwrap();
        let err = dir_under(&out, &out.join("a/b"), true).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(!dir_under(&out, &out.join("c/d"), false).unwrap());
        assert!(dir_under(&out, &out.join("c/d"), true).unwrap());
        assert!(out.join("c/d").is_dir());
        assert!(dir_under(&out, Path::new("/elsewhere"), true).is_err());
        std::fs::remove_dir_all(&out).unwrap();
        std::fs::remove_dir_all(&elsewhere).unwrap();
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = temp("atomic");
        let p = dir.join("01.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn leftover_temps_are_removed_and_nothing_else() {
        let dir = temp("leftover");
        std::fs::create_dir_all(dir.join("x")).unwrap();
        for f in [
            "x/.01.json.123.tmp",
            ".manifest.json.9.tmp",
            "x/01.json",
            "x/.notes.tmp",
            "x/.01.json.abc.tmp",
        ] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        assert_eq!(remove_leftover_temps(&dir), 2);
        assert!(dir.join("x/01.json").exists() && dir.join("x/.notes.tmp").exists());
        assert!(dir.join("x/.01.json.abc.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
