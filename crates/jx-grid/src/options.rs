//! Every tolerance of the grid stage in one place.

/// Tolerances of table reconstruction, in points unless said otherwise.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GridOptions {
    /// Rules whose positions differ by at most this are the same line
    /// (double-drawn borders, per-cell borders of adjacent cells).
    pub snap: f32,
    /// Collinear segments separated by at most this gap are joined
    /// (cell-by-cell borders, small dropouts in scanned rules).
    pub join_gap: f32,
    /// How far a rule may stop short of another and still meet it.
    pub touch: f32,
    /// Share of a grid edge a rule must cover to separate two grid cells.
    pub min_edge_coverage: f32,
    /// Vertical rules running this far past the outermost horizontal rule
    /// mean the table was cut open there by a page break.
    pub open_end: f32,
    /// Smallest table, in grid rows and columns.
    pub min_rows: usize,
    pub min_cols: usize,
    /// Two glyphs are on the same line when their vertical centres differ by
    /// at most this share of the font size.
    pub line_tolerance_em: f32,
    /// Between two Latin/number glyphs, a gap of at least this share of the
    /// font size is a space.
    pub space_gap_em: f32,
    /// Inside a line, a gap wider than this many em separates two runs.
    pub run_gap_em: f32,
    /// Outside tables, a horizontal gap wider than this many em splits a line.
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
