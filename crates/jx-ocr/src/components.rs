//! Connected components of ink (8-connected), labelled on run lengths: one
//! pass over the pixels, memory proportional to the number of runs rather than
//! a label per pixel, which matters on a whole 300 dpi page.

use crate::binarize::InkImage;

/// A horizontal run of ink `[x0, x1)` on row `y`, belonging to component `comp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InkRun {
    pub y: u32,
    pub x0: u32,
    pub x1: u32,
    pub comp: u32,
}

/// Bounding box `[x0, x1) × [y0, y1)` and pixel count of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    pub area: u32,
}

impl Component {
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }
}

/// Runs and components of the ink inside `[x0, x1) × [y0, y1)` of `ink`,
/// skipping pixels for which `masked(x, y)` is true. Coordinates stay those of
/// `ink`.
pub fn label(
    ink: &InkImage,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
    masked: impl Fn(usize, usize) -> bool,
) -> (Vec<InkRun>, Vec<Component>) {
    let x1 = x1.min(ink.width);
    let y1 = y1.min(ink.height);
    let mut runs: Vec<InkRun> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    let mut prev_start = 0usize; // index in `runs` of the previous row's first run
    let mut prev_end = 0usize;
    for y in y0..y1 {
        let row = &ink.data[y * ink.width..(y + 1) * ink.width];
        let row_start = runs.len();
        let mut x = x0;
        let mut j = prev_start;
        while x < x1 {
            if row[x] == 0 || masked(x, y) {
                x += 1;
                continue;
            }
            let s = x;
            while x < x1 && row[x] != 0 && !masked(x, y) {
                x += 1;
            }
            let id = parent.len() as u32;
            parent.push(id);
            // Previous-row runs touching [s-1, x+1) (8-connectivity).
            while j < prev_end && (runs[j].x1 as usize) < s {
                j += 1;
            }
            let mut k = j;
            while k < prev_end && (runs[k].x0 as usize) <= x {
                let a = find(&mut parent, runs[k].comp);
                let b = find(&mut parent, id);
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
                k += 1;
            }
            runs.push(InkRun {
                y: y as u32,
                x0: s as u32,
                x1: x as u32,
                comp: id,
            });
        }
        prev_start = row_start;
        prev_end = runs.len();
    }
    let comps = flatten(&mut runs, &mut parent);
    (runs, comps)
}

/// The root of `i` in a union-find forest (with path halving).
fn find(p: &mut [u32], mut i: u32) -> u32 {
    while p[i as usize] != i {
        p[i as usize] = p[p[i as usize] as usize];
        i = p[i as usize];
    }
    i
}

/// Renumbers the runs' provisional labels to dense component ids, in order
/// of each component's first run, and measures each component.
fn flatten(runs: &mut [InkRun], parent: &mut [u32]) -> Vec<Component> {
    let mut dense: Vec<u32> = vec![u32::MAX; parent.len()];
    let mut comps: Vec<Component> = Vec::new();
    for r in runs.iter_mut() {
        let root = find(parent, r.comp);
        let d = if dense[root as usize] == u32::MAX {
            dense[root as usize] = comps.len() as u32;
            comps.push(Component {
                x0: r.x0,
                y0: r.y,
                x1: r.x1,
                y1: r.y + 1,
                area: 0,
            });
            comps.len() as u32 - 1
        } else {
            dense[root as usize]
        };
        r.comp = d;
        let c = &mut comps[d as usize];
        c.x0 = c.x0.min(r.x0);
        c.x1 = c.x1.max(r.x1);
        c.y0 = c.y0.min(r.y);
        c.y1 = c.y1.max(r.y + 1);
        c.area += r.x1 - r.x0;
    }
    comps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_diagonal_and_separate_blobs() {
        let mut ink = InkImage::empty(10, 6);
        // diagonal (8-connected) stroke
        for i in 0..4 {
            ink.data[i * 10 + i] = 1;
        }
        // separate 2×2 blob
        for (x, y) in [(7, 0), (8, 0), (7, 1), (8, 1)] {
            ink.data[y * 10 + x] = 1;
        }
        // U shape: two arms joined at the bottom
        for y in 3..6 {
            ink.data[y * 10 + 5] = 1;
            ink.data[y * 10 + 8] = 1;
        }
        for x in 5..9 {
            ink.data[5 * 10 + x] = 1;
        }
        let (_, comps) = label(&ink, (0, 0, 10, 6), |_, _| false);
        assert_eq!(comps.len(), 3, "{comps:?}");
        let areas: Vec<u32> = comps.iter().map(|c| c.area).collect();
        assert!(areas.contains(&4));
        assert!(areas.contains(&8));
        let (_, masked) = label(&ink, (0, 0, 10, 6), |x, _| x >= 5);
        assert_eq!(masked.len(), 1);
    }
}
