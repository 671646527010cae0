"""Volume -> HTML -> PDF through headless Chromium (`--print-to-pdf`).

Doubled cells ("fake bold") come in two styles, both seen in the corpus:
  offset  an absolutely positioned copy of the cell's text, 1.3 pt right and 0.2 pt down;
  shadow  a CSS text-shadow (Skia draws the glyphs a second time).
Neither changes the layout, so a rendering without them (the probe) paginates the same.
"""
import html as H
import os
import subprocess
import tempfile

from . import layout

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
                  "--hide-scrollbars", "--font-render-hinting=none"]


def _text(s):
    return H.escape(s).replace("\n", "<br>")


def _dup(inner_html, style):
    if style == "offset":
        return f'<div class="fb">{inner_html}<div class="d" aria-hidden="true">{inner_html}</div></div>'
    return f'<span class="sh">{inner_html}</span>'


def _css(lay, opts):
    m = opts.get("margins_mm", [14, 13, 14, 13])
    bg = f"td.lab{{background:{lay['label_bg']};}}" if lay["label_bg"] else ""
    return f"""
@page {{ size: A4; margin: {m[0]}mm {m[1]}mm {m[2]}mm {m[3]}mm; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "{lay['font']}"; font-size: {lay['size']}pt; color: #000; }}
.cover {{ font-family: "{lay['title_font']}"; font-weight: bold; font-size: {lay['cover_size']}pt;
          text-align: center; margin: 6mm 0 7mm 0; }}
.ftitle {{ font-family: "{lay['title_font']}"; font-weight: bold; font-size: {lay['title_size']}pt;
           text-align: center; margin: 9mm 0 1mm 0; break-after: avoid; }}
.ftitle.first {{ margin-top: 0; }}
.ftitle.newpage {{ break-before: page; margin-top: 0; }}
.fyear {{ text-align: center; font-size: {lay['size'] - 0.5}pt; margin: 0 0 1.5mm 0;
          break-after: avoid; }}
table.form {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
table.form td {{ border: 0.6pt solid #000; padding: 2.2pt 3pt; vertical-align: middle;
                line-height: 1.38; word-break: break-all; overflow-wrap: anywhere; }}
table.cont {{ break-before: page; }}
td.c {{ text-align: center; }} td.l {{ text-align: left; }} td.r {{ text-align: right; }}
{bg}
.fb {{ position: relative; }}
.fb > .d {{ position: absolute; left: 1.3pt; top: 0.2pt; width: 100%; }}
.sh {{ text-shadow: 1.2pt 0.3pt 0 #000; }}
.ptitle {{ font-family: "{lay['title_font']}"; font-weight: bold; font-size: 14pt;
           text-align: center; margin: 4mm 0 2mm 0; }}
.punit {{ text-align: right; font-size: 9pt; margin-bottom: 1mm; }}
table.pre {{ border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 9pt;
             margin-bottom: 4mm; }}
table.pre td, table.pre th {{ border: 0.5pt solid #000; padding: 2pt 3pt; }}
table.pre th {{ font-weight: normal; background: #f0f0f0; }}
table.pre td.n {{ text-align: right; }}
.psection {{ break-before: page; font-family: "{lay['title_font']}"; font-weight: bold;
             font-size: 16pt; text-align: center; margin: 0 0 4mm 0; }}
"""


def _prelude_html(tables):
    out = []
    for t in tables:
        cols = "".join(f'<col style="width:{w}%">' for w in t["widths"])
        head = "".join(f"<th>{_text(h)}</th>" for h in t["header"])
        body = []
        for row in t["rows"]:
            tds = []
            for k, v in enumerate(row):
                num = k in t.get("numeric_cols", [])
                tds.append(f'<td class="{"n" if num else ""}">{_text(v)}</td>')
            body.append("<tr>" + "".join(tds) + "</tr>")
        brk = ' style="break-before: page"' if t.get("new_page") else ""
        out.append(f'<div class="ptitle"{brk}>{_text(t["title"])}</div>')
        if t.get("unit"):
            out.append(f'<div class="punit">{_text(t["unit"])}</div>')
        out.append(f'<table class="pre"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
                   f'<tbody>{"".join(body)}</tbody></table>')
    return "\n".join(out)


def _rgb(c):
    return f"rgb({c[0]},{c[1]},{c[2]})"


def volume_html(vol, forms_blocks, lay, opts, doubled, style, probe=False):
    """`forms_blocks`: per form, its blocks; `doubled`: per form, the set of paths drawn
    twice (empty for the probe); `style`: offset|shadow; `probe`: colour each form's
    cells by form and indicator row (layout.probe_color) to find them on the pages."""
    cols = "".join(f'<col style="width:{w / sum(lay["cols"]) * 100:.3f}%">' for w in lay["cols"])
    parts = []
    title = vol["document_title"] or vol["forms"][0]["form_title"]
    if vol["document_title"] and opts.get("cover", True):
        parts.append(f'<div class="cover">{_text(vol["document_title"])}</div>')
    if opts.get("prelude"):
        parts.append(_prelude_html(opts["prelude"]))
        if opts.get("section_title"):
            parts.append(f'<div class="psection">{_text(opts["section_title"])}</div>')
    for i, (form, blocks) in enumerate(zip(vol["forms"], forms_blocks)):
        dbl = doubled[i]
        cls = "ftitle"
        if (opts.get("form_break") == "page" and not (i == 0 and opts.get("section_title"))) \
                or i in opts.get("title_breaks", ()):
            cls += " newpage"
        elif i == 0 and not (vol["document_title"] and opts.get("cover", True)) \
                and not opts.get("prelude"):
            cls += " first"
        t = _text(form["form_title"])
        if "form_title" in dbl:
            t = _dup(t, style)
        parts.append(f'<div class="{cls}">{t}</div>')
        yl = opts["year_line"](form["year"])
        if yl:
            parts.append(f'<div class="fyear">{_text(yl)}</div>')
        for b in blocks:
            tcls = "form cont" if b["break_before"] else "form"
            tstyle = ""
            if probe:
                bc = _rgb(layout.probe_color(i + 1, 0, border=True))
                tstyle = f' style="--bc:{bc}"'
            rows = []
            for r in b["rows"]:
                tds = []
                for c in r["cells"]:
                    attrs = f' class="{c["align"]}{" lab" if c["role"] in ("label", "block") else ""}"'
                    if c["colspan"] > 1:
                        attrs += f' colspan="{c["colspan"]}"'
                    if c["rowspan"] > 1:
                        attrs += f' rowspan="{c["rowspan"]}"'
                    if probe:
                        attrs += (f' style="color:{_rgb(layout.probe_color(i + 1, c["code"]))};'
                                  f'border-color:var(--bc)"')
                    inner = _text(c["text"])
                    if c["path"] and c["path"] in dbl and c["text"]:
                        inner = _dup(inner, style)
                    tds.append(f"<td{attrs}>{inner}</td>")
                tr = '<tr style="break-before: page">' if r.get("break_before") else "<tr>"
                rows.append(tr + "".join(tds) + "</tr>")
            parts.append(f'<table class="{tcls}"{tstyle}><colgroup>{cols}</colgroup>'
                         f'<tbody>{"".join(rows)}</tbody></table>')
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>{_text(title)}</title><style>{_css(lay, opts)}</style></head>'
            f'<body>\n' + "\n".join(parts) + "\n</body></html>\n")


def print_pdf(html_text, out_pdf, workdir):
    """Write the HTML to workdir and print it to out_pdf with headless Chromium."""
    src = os.path.join(workdir, os.path.basename(out_pdf)[:-4] + ".html")
    with open(src, "w", encoding="utf-8") as f:
        f.write(html_text)
    with tempfile.TemporaryDirectory(prefix="jx-chromium-") as prof:
        cmd = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={prof}",
               f"--print-to-pdf={out_pdf}", "file://" + os.path.abspath(src)]
        if os.path.exists(out_pdf):
            os.remove(out_pdf)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if r.returncode != 0 or not os.path.exists(out_pdf):
        raise RuntimeError(f"chromium failed ({r.returncode}): {r.stderr[-2000:]}")
