//! The input tree: every `.pdf` under the root, in a stable order; and
//! which of them a shard of a split run reads (`--shard K/N`).

use sha2::{Digest, Sha256};
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

/// One shard of a run split across machines (`--shard K/N`): K is 0-based,
/// `0 <= K < N` (a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` as it
/// is; a SLURM array declared `--array=0-(N-1)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not K/N with 0 <= K < N (K is 0-based), e.g. 0/3");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Whether the input at `rel` (`/`-separated, relative to the input root)
/// belongs to shard `k` of `n`: the first 8 bytes of the SHA-256 of `rel`,
/// big-endian, mod `n`. Stable across machines, builds and Rust versions
/// (unlike std's hasher), and independent of the other inputs, so every
/// input is in exactly one shard whatever each machine's walk order.
pub fn in_shard(rel: &str, k: u64, n: u64) -> bool {
    let digest = Sha256::digest(rel.as_bytes());
    let head: [u8; 8] = digest[..8].try_into().expect("a digest has 32 bytes");
    u64::from_be_bytes(head) % n == k
}

impl Walk {
    /// Only what `shard` reads (unreadable folders included, by their path).
    pub fn shard(mut self, shard: Shard) -> Walk {
        let keep = |rel: &str| in_shard(rel, shard.index, shard.count);
        self.inputs.retain(|i| keep(&i.rel));
        self.unlisted.retain(|u| keep(&u.rel));
        self
    }
}

/// What separates the options fingerprint from the shard in a shard's
/// manifest (`options`: `<fingerprint>+shard=0/3`).
const SHARD_MARK: &str = "+shard=";

/// The manifest's `options` of a run: the fingerprint, and the shard when
/// the run is one (so `--resume` carries rows over only within the same
/// shard, and `merge` sees what each output is).
pub fn options_with_shard(fingerprint: String, shard: Option<Shard>) -> String {
    match shard {
        Some(s) => format!("{fingerprint}{SHARD_MARK}{s}"),
        None => fingerprint,
    }
}

/// A manifest's `options` split into the fingerprint and the shard.
pub fn split_options(options: &str) -> (&str, Option<Shard>) {
    match options.rsplit_once(SHARD_MARK) {
        Some((base, shard)) => match shard.parse() {
            Ok(s) => (base, Some(s)),
            Err(_) => (options, None),
        },
        None => (options, None),
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
    fn every_path_is_in_exactly_one_shard() {
        let rels: Vec<String> = (0..300).map(|i| format!("年/{i}/表{i}.pdf")).collect();
        for n in [1, 2, 3, 7] {
            let mut sizes = vec![0; n as usize];
            for rel in &rels {
                let ks: Vec<u64> = (0..n).filter(|k| in_shard(rel, *k, n)).collect();
                assert_eq!(ks.len(), 1, "{rel} in {ks:?} of {n}");
                sizes[ks[0] as usize] += 1;
            }
            // Spread: no shard is empty or holds most of the inputs.
            assert!(sizes.iter().all(|s| *s > 300 / n as usize / 2), "{sizes:?}");
        }
    }

    #[test]
    fn shards_are_a_fixed_function_of_the_path() {
        // sha256("a.pdf") starts a7949e623819aa32: fixed forever, as a
        // change here would send files to other shards than earlier runs
        // (figures from Python's hashlib).
        let d = Sha256::digest(b"a.pdf");
        assert_eq!(
            u64::from_be_bytes(d[..8].try_into().unwrap()),
            0xa794_9e62_3819_aa32
        );
        assert!(in_shard("a.pdf", 2, 3) && in_shard("a.pdf", 1, 7));
        assert!(in_shard("2024/社保.pdf", 2, 3) && in_shard("2024/社保.pdf", 5, 7));
        assert!(in_shard("a.pdf", 0, 1));
    }

    #[test]
    fn shard_arguments_are_zero_based_k_of_n() {
        assert_eq!("0/3".parse::<Shard>(), Ok(Shard { index: 0, count: 3 }));
        assert_eq!("2/3".parse::<Shard>().unwrap().to_string(), "2/3");
        for bad in ["3/3", "1/0", "x/2", "1", "-1/2", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let s = Shard { index: 1, count: 4 };
        let o = options_with_shard("abc".into(), Some(s));
        assert_eq!(o, "abc+shard=1/4");
        assert_eq!(split_options(&o), ("abc", Some(s)));
        assert_eq!(split_options("abc"), ("abc", None));
    }

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
