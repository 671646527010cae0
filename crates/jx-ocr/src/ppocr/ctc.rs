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
}

/// Decodes `steps` (time steps × `c` class probabilities): the best class
/// per step, repeats merged, blanks dropped.
pub(crate) fn decode(steps: &[f32], c: usize, classes: &[String]) -> Decoded {
    let t = steps.len() / c.max(1);
    let mut out = Decoded::default();
    let mut prev = usize::MAX;
    let mut sum = 0f32;
    for (i, row) in steps.chunks_exact(c).enumerate() {
        let (best, p) =
            row.iter().enumerate().fold(
                (0usize, f32::MIN),
                |a, (k, &v)| if v > a.1 { (k, v) } else { a },
            );
        if best != 0 && best != prev {
            out.text
                .push_str(classes.get(best).map_or("", String::as_str));
            out.positions.push((i as f32 + 0.5) / t.max(1) as f32);
            sum += p;
        }
        prev = best;
    }
    if !out.positions.is_empty() {
        out.confidence = sum / out.positions.len() as f32;
    }
    out
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
}
