//! The run's settings, from the command line: the one place the stages'
//! options are built from, by the parent and by every worker alike (the
//! parent sends them with each request), so the options fingerprint that
//! `--resume` compares covers every option that changes the output.

use jx_ingest::IngestOptions;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What the command line says about how files are read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Folder holding Tesseract's `<language>.traineddata` (`--tessdata`).
    pub tessdata: Option<PathBuf>,
}

impl Settings {
    /// The options of every stage.
    pub fn ingest_options(&self) -> IngestOptions {
        let mut o = IngestOptions::default();
        o.ocr.tessdata = self.tessdata.clone();
        o
    }

    /// The fingerprint rows are carried over by.
    pub fn fingerprint(&self) -> String {
        self.ingest_options().fingerprint()
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
        };
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), Settings::default().fingerprint());
    }
}
