//! Greedy CTC decoding with PP-OCR's dictionary.

/// The model's classes from its dictionary file: 0 the CTC blank, then one
/// per line of the dictionary, then the space (`use_space_char`).
pub(crate) fn classes(dict: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    out.extend(
        dict.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()),
    );
    // A final newline leaves an empty last entry that is no class.
    if out.len() > 1 && out.last().is_some_and(|s| s.is_empty()) {
        out.pop();
    }
    out.push(" ".to_string());
    out
}

/// A decoded line.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Decoded {
    pub text: String,
    /// Mean of the kept characters' maximum probabilities (0 when empty).
    pub confidence: f32,
    /// Where each kept character was emitted, as a fraction of the line's
    /// width (time step centre / steps).
    pub positions: Vec<f32>,
    /// Each kept character's margin over the runner-up class at its surest
    /// time step (best − second-best probability), and that runner-up (""
    /// for the blank: the character may not be there at all).
    pub margins: Vec<(f32, String)>,
}

/// Decodes `steps` (time steps × `c` class probabilities): the best class
/// per step, repeats merged, blanks dropped.
pub(crate) fn decode(steps: &[f32], c: usize, classes: &[String]) -> Decoded {
    let t = steps.len() / c.max(1);
    let mut out = Decoded::default();
    let mut prev = usize::MAX;
    let mut sum = 0f32;
    let class = |k: usize| classes.get(k).map_or("", String::as_str);
    for (i, row) in steps.chunks_exact(c).enumerate() {
        let (best, p, second, q) = top_two(row);
        let margin = p - q;
        if best != 0 && best != prev {
            out.text.push_str(class(best));
            out.positions.push((i as f32 + 0.5) / t.max(1) as f32);
            out.margins.push((margin, class(second).to_string()));
            sum += p;
        } else if best != 0
            && let Some(last) = out.margins.last_mut()
            && margin > last.0
        {
            // The same character over more steps: its surest step counts.
            *last = (margin, class(second).to_string());
        }
        prev = best;
    }
    if !out.positions.is_empty() {
        out.confidence = sum / out.positions.len() as f32;
    }
    out
}

/// The best and second-best class of one time step, with their
/// probabilities.
fn top_two(row: &[f32]) -> (usize, f32, usize, f32) {
    let (mut b, mut p, mut s, mut q) = (0usize, f32::MIN, 0usize, f32::MIN);
    for (k, &v) in row.iter().enumerate() {
        if v > p {
            (s, q) = (b, p);
            (b, p) = (k, v);
        } else if v > q {
            (s, q) = (k, v);
        }
    }
    (b, p, s, q.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_classes_have_blank_first_and_space_last() {
        let c = classes("一\n乙\r\n2\n");
        assert_eq!(c, ["", "一", "乙", "2", " "]);
    }

    #[test]
    fn greedy_decoding_merges_repeats_and_drops_blanks() {
        let classes = classes("a\nb");
        // steps: a a blank a b b space
        let onehot = |k: usize, p: f32| {
            let mut v = vec![0.0; 4];
            v[k] = p;
            v
        };
        let steps: Vec<f32> = [
            (1, 0.9),
            (1, 0.8),
            (0, 0.9),
            (1, 0.7),
            (2, 0.6),
            (2, 0.9),
            (3, 0.5),
        ]
        .iter()
        .flat_map(|&(k, p)| onehot(k, p))
        .collect();
        let d = decode(&steps, 4, &classes);
        assert_eq!(d.text, "aab ");
        assert!((d.confidence - (0.9 + 0.7 + 0.6 + 0.5) / 4.0).abs() < 1e-6);
        assert_eq!(d.positions.len(), 4);
        assert!(d.positions[0] < d.positions[1]);
    }

    #[test]
    fn each_character_keeps_its_margin_over_the_runner_up() {
        let classes = classes("壁\n璧");
        // 壁 over two steps (margins 0.1 then 0.3), a blank, 璧 sure.
        let steps = [
            0.0, 0.5, 0.4, 0.1, //
            0.0, 0.6, 0.3, 0.1, //
            0.9, 0.05, 0.05, 0.0, //
            0.02, 0.0, 0.98, 0.0,
        ];
        let d = decode(&steps, 4, &classes);
        assert_eq!(d.text, "壁璧");
        assert!((d.margins[0].0 - 0.3).abs() < 1e-6);
        assert_eq!(d.margins[0].1, "璧");
        assert!((d.margins[1].0 - 0.96).abs() < 1e-6);
        assert_eq!(d.margins[1].1, "");
    }
}
