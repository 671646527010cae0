//! Text into HTML. Everything the forms hold is untrusted (a PDF can say
//! `<script>` in a project name): it goes through [`esc`] and nothing else,
//! and boxes are placed by numbers formatted here, never by text.

use std::fmt::Write;

/// `s` escaped for HTML text and for quoted attribute values alike.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not text a person can check; they would
            // only confuse the page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
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

/// Fills `{{name}}` slots of a template (the files under `assets/`) with
/// HTML already made safe by the caller.
pub fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in slots {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_form_text_is_inert() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("项目\u{0}名称"), "项目\u{FFFD}名称");
    }

    #[test]
    fn percentages_stay_on_the_page() {
        assert_eq!(pct(50.0, 200.0), "25.000%");
        assert_eq!(pct(f64::NAN, 200.0), "0.000%");
        assert_eq!(pct(300.0, 200.0), "100.000%");
        assert_eq!(pct(1.0, 0.0), "0.000%");
    }

    #[test]
    fn slots_are_filled() {
        assert_eq!(fill("<h1>{{t}}</h1>{{t}}", &[("t", "a")]), "<h1>a</h1>a");
    }
}
