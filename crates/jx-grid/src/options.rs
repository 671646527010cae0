//! Every tolerance of the grid stage in one place.

/// Tolerances of table reconstruction, in points unless said otherwise.
///
/// Each field says where its default comes from. None was measured: the
/// git history (`git log -S`) and the README record no sweep or figure for
/// any of them, so each is a judgment made when the field was added. The
/// stage snapshots (`tests/stages.rs`) and the golden files hold the output
/// these defaults give on the samples, so a change shows there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GridOptions {
    /// Rules whose positions differ by at most this are the same line
    /// (double-drawn borders, per-cell borders of adjacent cells).
    /// Default 1.5 pt: judgment, not measured (set with the first grid
    /// stage, 7a7f875).
    pub snap: f32,
    /// Collinear segments separated by at most this gap are joined
    /// (cell-by-cell borders, small dropouts in scanned rules).
    /// Default 2.5 pt: judgment, not measured (first grid stage, 7a7f875).
    pub join_gap: f32,
    /// How far a rule may stop short of another and still meet it.
    /// Default 2.5 pt: judgment, not measured (first grid stage, 7a7f875).
    pub touch: f32,
    /// Share of a grid edge a rule must cover to separate two grid cells.
    /// Default 0.5 (half the edge): judgment, not measured (first grid
    /// stage, 7a7f875).
    pub min_edge_coverage: f32,
    /// Vertical rules running this far past the outermost horizontal rule
    /// mean the table was cut open there by a page break.
    /// Default 3.0 pt: judgment, not measured (added with open table ends,
    /// caeff7f).
    pub open_end: f32,
    /// Smallest table, in grid rows (and [`Self::min_cols`]).
    /// Default 1: lowered from 2 in dd5ec6d (open rows at page cuts,
    /// continued rows rejoined), so that the one row a page break leaves on
    /// a page is still a table; the smallest value there is, not a
    /// measurement.
    pub min_rows: usize,
    /// Smallest table, in grid columns.
    /// Default 2: judgment, not measured (first grid stage, 7a7f875).
    pub min_cols: usize,
    /// Two glyphs are on the same line when their vertical centres differ by
    /// at most this share of the font size.
    /// Default 0.45 em: judgment, not measured (first grid stage, 7a7f875).
    pub line_tolerance_em: f32,
    /// Between two Latin/number glyphs, a gap of at least this share of the
    /// font size is a space.
    /// Default 0.25 em: judgment, not measured (first grid stage, 7a7f875).
    pub space_gap_em: f32,
    /// Inside a line, a gap wider than this many em separates two runs.
    /// Default 1.5 em: judgment, not measured (added with runs, dd5ec6d).
    pub run_gap_em: f32,
    /// Outside tables, a horizontal gap wider than this many em splits a line.
    /// Default 4.0 em: judgment, not measured (first grid stage, 7a7f875).
    pub line_split_gap_em: f32,
}

impl Default for GridOptions {
    fn default() -> Self {
        GridOptions {
            snap: 1.5,
            join_gap: 2.5,
            touch: 2.5,
            min_edge_coverage: 0.5,
            open_end: 3.0,
            min_rows: 1,
            min_cols: 2,
            line_tolerance_em: 0.45,
            space_gap_em: 0.25,
            line_split_gap_em: 4.0,
            run_gap_em: 1.5,
        }
    }
}
