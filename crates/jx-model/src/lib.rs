//! Shared types of the jxingest pipeline, and nothing else.
//!
//! Data flows one way through the stage crates, and these are the types that
//! carry it between them:
//!
//! ```text
//! jx-pdf   PDF bytes          → PageContent (glyphs, rules) or PageRaster (image pages)
//! jx-ocr   PageRaster         → PageContent (glyphs with confidence, rules from pixels)
//! jx-grid  PageContent        → PageLayout (tables of merged cells, free text lines)
//! jx-form  [PageLayout]       → FormRecord (the JSON contract) with repairs and warnings
//! ```
//!
//! Every coordinate is in PDF points with the origin at the top-left corner of
//! the page *as displayed* (page rotation and crop box already applied), x to
//! the right and y downwards — the same frame the output contract's
//! `provenance` boxes use.

pub mod diagnostics;
pub mod geometry;
pub mod manifest;
pub mod money;
pub mod page;
pub mod path;
pub mod record;
pub mod table;
pub mod text;
pub mod verdict;

pub use diagnostics::{Code, Diagnostic, Diagnostics, Severity};
pub use geometry::{Point, Rect};
pub use manifest::{FileRow, Manifest, PageRole, Problem, ProblemCode, Status, Unmapped};
pub use money::Money;
pub use page::{
    Extraction, Glyph, GlyphOrigin, HeadChevron, InkExtent, LookalikeProfile, MAX_PAGE_PIXELS,
    OcrEngineId, OcrReading, OcrRewrite, PageContent, PageRaster, Pointing, Rule, RuleAxis,
    UnsureChar,
};
pub use path::{BadPath, FieldPath, Step};
pub use record::FormRecord;
pub use table::{Cell, PageLayout, Table, TextLine};
pub use verdict::{FormKey, LoggedVerdict, Verdict, Verification};
