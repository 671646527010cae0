//! The run's settings, from the command line: the one place the stages'
//! options are built from, by the parent and by every worker alike (the
//! parent sends them with each request), so the options fingerprint that
//! `--resume` compares covers every option that changes the output.

use jx_ingest::IngestOptions;
use jx_ocr::EngineChoice;
use jx_ocr::installed::InstalledPart;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What the command line says about how files are read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Folder holding Tesseract's `<language>.traineddata` (`--tessdata`).
    pub tessdata: Option<PathBuf>,
    /// The recogniser (`--ocr-engine`).
    pub ocr_engine: EngineChoice,
    /// PP-OCRv5 model folder (`--ppocr-models`).
    pub ppocr_models: Option<PathBuf>,
    /// ONNX Runtime library (`$JXINGEST_ORT_DYLIB`, read by the parent).
    pub ort_dylib: Option<PathBuf>,
    /// Read every cell of every scanned page, without the cheap look
    /// (`--read-every-cell`).
    #[serde(default)]
    pub read_every_cell: bool,
}

impl Settings {
    /// The options of every stage. Every OCR option here is part of
    /// [`IngestOptions`], so the fingerprint covers it.
    pub fn ingest_options(&self) -> IngestOptions {
        let mut o = IngestOptions::default();
        o.ocr.tessdata = self.tessdata.clone();
        o.ocr.engine = self.ocr_engine;
        o.ocr.ppocr_models = self.ppocr_models.clone();
        o.ocr.ort_dylib = self.ort_dylib.clone();
        o.ocr.cheap_look = !self.read_every_cell;
        o
    }

    /// The fingerprint rows are carried over by: the options and what the
    /// engine has installed (`installed`, from [`Settings::installed`]).
    pub fn fingerprint(&self, installed: &[InstalledPart]) -> String {
        self.ingest_options().fingerprint(installed)
    }

    /// The files the chosen engine reads (models, word list, runtime).
    pub fn installed(&self) -> Vec<InstalledPart> {
        jx_ocr::installed::parts(&self.ingest_options().ocr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_options_change_the_fingerprint() {
        let a = Settings::default();
        let b = Settings {
            tessdata: Some("/elsewhere".into()),
            ..Settings::default()
        };
        assert_ne!(a.fingerprint(&[]), b.fingerprint(&[]));
        for c in [
            Settings {
                ocr_engine: EngineChoice::PpOcr,
                ..Settings::default()
            },
            Settings {
                ocr_engine: EngineChoice::Tesseract,
                ..Settings::default()
            },
            Settings {
                ppocr_models: Some("/models".into()),
                ..Settings::default()
            },
            Settings {
                read_every_cell: true,
                ..Settings::default()
            },
        ] {
            assert_ne!(a.fingerprint(&[]), c.fingerprint(&[]), "{c:?}");
        }
        assert_eq!(a.fingerprint(&[]), Settings::default().fingerprint(&[]));
    }

    #[test]
    fn what_the_engine_has_installed_changes_the_fingerprint() {
        let s = Settings::default();
        let part = |bytes| InstalledPart {
            what: "word list".into(),
            path: "/x/jieba/dict.txt".into(),
            bytes,
            modified: bytes.map(|_| 1),
        };
        let with = s.fingerprint(&[part(Some(10))]);
        assert_ne!(with, s.fingerprint(&[part(None)]));
        assert_ne!(with, s.fingerprint(&[part(Some(11))]));
        assert_eq!(with, s.fingerprint(&[part(Some(10))]));
    }
}
