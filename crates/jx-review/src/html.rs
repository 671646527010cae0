//! Text into HTML. Everything the forms hold is untrusted (a PDF can say
//! `<script>` or `{{pages}}` in a project name). The pages are askama
//! templates (`assets/*.html`, compiled with the crate): every value a
//! template prints goes through [`Html`] unless the template says `|safe`,
//! and a value is written once, never read again as template text. Boxes
//! are placed by numbers formatted here ([`pct`]), never by text.

use std::fmt::{self, Write};

/// The escaper of the site's templates (`askama.toml` names it for `.html`):
/// HTML text and quoted attribute values alike. It writes the named
/// entities a reader (and `tests/review.rs`) expects — askama's own escaper
/// writes numeric ones — and replaces control characters, which are not
/// text a person can check and would only confuse the page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        let mut last = 0;
        for (i, c) in s.char_indices() {
            let with = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                c if c.is_control() && c != '\n' && c != '\t' => "\u{FFFD}",
                _ => continue,
            };
            dest.write_str(&s[last..i])?;
            dest.write_str(with)?;
            last = i + c.len_utf8();
        }
        dest.write_str(&s[last..])
    }
}

/// A percentage for a CSS position, finite and within 0..=100.
pub fn pct(part: f64, whole: f64) -> String {
    let v = if whole > 0.0 && part.is_finite() {
        (part / whole * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    };
    let mut s = String::new();
    let _ = write!(s, "{v:.3}%");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        askama::filters::escape(s, Html).unwrap().to_string()
    }

    #[test]
    fn markup_in_form_text_is_inert() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("项目\u{0}名称"), "项目\u{FFFD}名称");
        assert_eq!(esc("{{pages}}\n\t"), "{{pages}}\n\t");
    }

    #[test]
    fn percentages_stay_on_the_page() {
        assert_eq!(pct(50.0, 200.0), "25.000%");
        assert_eq!(pct(f64::NAN, 200.0), "0.000%");
        assert_eq!(pct(300.0, 200.0), "100.000%");
        assert_eq!(pct(1.0, 0.0), "0.000%");
    }
}
