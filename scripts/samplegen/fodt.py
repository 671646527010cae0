"""Volume -> flat ODT (Writer tables) -> PDF through LibreOffice (`soffice --convert-to pdf`).

Doubled cells use the character attribute fo:text-shadow: LibreOffice then draws the glyphs
twice, offset, into the PDF (a "shadow" fake bold).  Titles are set bold in WenQuanYi Zen
Hei, which has no bold face, so LibreOffice emboldens it synthetically (render mode 2).
"""
import os
import shutil
import subprocess
import tempfile
from xml.sax.saxutils import escape

from . import layout

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/"')

PAGE_W, PAGE_H = 21.0, 29.7   # cm


def _styles(lay, opts, width_cm):
    m = [x / 10 for x in opts.get("margins_mm", [15, 13, 15, 13])]
    font, tfont = lay["font"], lay["title_font"]
    bg = f' fo:background-color="{lay["label_bg"]}"' if lay["label_bg"] else ""
    size = lay["size"]
    cols = "".join(
        f'<style:style style:name="col{k}" style:family="table-column">'
        f'<style:table-column-properties style:column-width="{w:.3f}cm"/></style:style>'
        for k, w in enumerate(_col_cm(lay, width_cm)))
    return f"""
<office:font-face-decls>
 <style:font-face style:name="{font}" svg:font-family="'{font}'"/>
 <style:font-face style:name="{tfont}" svg:font-family="'{tfont}'"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0cm" fo:line-height="125%"/>
  <style:text-properties style:font-name="{font}" style:font-name-asian="{font}"
   fo:font-size="{size}pt" style:font-size-asian="{size}pt" fo:language="zh" fo:country="CN"
   style:language-asian="zh" style:country-asian="CN"/>
 </style:default-style>
 <style:style style:name="Standard" style:family="paragraph"/>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{PAGE_W}cm"
  fo:page-height="{PAGE_H}cm" style:print-orientation="portrait" fo:margin-top="{m[0]}cm"
  fo:margin-right="{m[1]}cm" fo:margin-bottom="{m[2]}cm" fo:margin-left="{m[3]}cm"/></style:page-layout>
 <style:style style:name="Cover" style:family="paragraph"><style:paragraph-properties
  fo:text-align="center" fo:margin-top="0.4cm" fo:margin-bottom="0.6cm"/><style:text-properties
  style:font-name="{tfont}" style:font-name-asian="{tfont}" fo:font-size="{lay['cover_size']}pt"
  style:font-size-asian="{lay['cover_size']}pt" fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>
{_title_style("Title", tfont, lay['title_size'], "0.8cm", "")}
 {_title_style("TitleFirst", tfont, lay['title_size'], "0cm", "")}
 {_title_style("TitlePage", tfont, lay['title_size'], "0cm", ' fo:break-before="page"')}
 <style:style style:name="Year" style:family="paragraph"><style:paragraph-properties
  fo:text-align="center" fo:margin-bottom="0.15cm" fo:keep-with-next="always"/></style:style>
 <style:style style:name="PL" style:family="paragraph"><style:paragraph-properties fo:text-align="start"/></style:style>
 <style:style style:name="PC" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/></style:style>
 <style:style style:name="PR" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/></style:style>
 <style:style style:name="Gap" style:family="paragraph"><style:text-properties fo:font-size="4pt"
  style:font-size-asian="4pt"/></style:style>
 <style:style style:name="Sh" style:family="text"><style:text-properties fo:text-shadow="1pt 1pt"/></style:style>
 <style:style style:name="Tab" style:family="table"><style:table-properties style:width="{width_cm:.3f}cm"
  table:align="center" fo:margin-top="0cm" fo:margin-bottom="0cm"/></style:style>
 <style:style style:name="TabCont" style:family="table"><style:table-properties
  style:width="{width_cm:.3f}cm" table:align="center" fo:break-before="page"/></style:style>
 {cols}
 <style:style style:name="Row" style:family="table-row"><style:table-row-properties fo:keep-together="auto"/></style:style>
 <style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties
  fo:border="0.5pt solid #000000" fo:padding="0.07cm" style:vertical-align="middle"/></style:style>
 <style:style style:name="CellLab" style:family="table-cell"><style:table-cell-properties
  fo:border="0.5pt solid #000000" fo:padding="0.07cm" style:vertical-align="middle"{bg}/></style:style>
{_title_style("PreTitle", tfont, 14, "0.3cm", "", "0.2cm", keep=False)}
 {_title_style("PreTitlePage", tfont, 14, "0cm", ' fo:break-before="page"', "0.2cm", keep=False)}
 {_title_style("Section", tfont, 16, "0cm", ' fo:break-before="page"', "0.4cm", keep=False)}
 <style:style style:name="Unit" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/>
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/></style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
"""


def _title_style(name, font, size, top, extra, bottom="0.1cm", keep=True):
    """A centred bold heading paragraph style, complete (automatic styles cannot be parents)."""
    kw = ' fo:keep-with-next="always"' if keep else ""
    return (f'<style:style style:name="{name}" style:family="paragraph"><style:paragraph-properties '
            f'fo:text-align="center" fo:margin-top="{top}" fo:margin-bottom="{bottom}"{kw}{extra}/>'
            f'<style:text-properties style:font-name="{font}" style:font-name-asian="{font}" '
            f'fo:font-size="{size}pt" style:font-size-asian="{size}pt" fo:font-weight="bold" '
            f'style:font-weight-asian="bold"/></style:style>')


def _col_cm(lay, width_cm):
    tot = sum(lay["cols"])
    return [w / tot * width_cm for w in lay["cols"]]


def _p(text, style, shadow=False, span=None):
    lines = text.split("\n") if text else [""]
    out = []
    for ln in lines:
        t = escape(ln)
        if shadow and t:
            t = f'<text:span text:style-name="Sh">{t}</text:span>'
        if span and t:
            t = f'<text:span text:style-name="{span}">{t}</text:span>'
        out.append(f'<text:p text:style-name="{style}">{t}</text:p>')
    return "".join(out)


class Probe:
    """Automatic styles for the probe rendering's colours (see layout.probe_color)."""

    def __init__(self):
        self.styles = {}

    def text(self, form, code):
        r, g, b = layout.probe_color(form, code)
        name = f"K{r}_{g}_{b}"
        self.styles[name] = (f'<style:style style:name="{name}" style:family="text">'
                             f'<style:text-properties fo:color="#{r:02x}{g:02x}{b:02x}"/></style:style>')
        return name

    def cell(self, form, lab):
        r, g, b = layout.probe_color(form, 0, border=True)
        name = f"{'CellLab' if lab else 'Cell'}_f{form}"
        bg = ""
        self.styles[name] = (f'<style:style style:name="{name}" style:family="table-cell">'
                             f'<style:table-cell-properties fo:border="0.5pt solid #{r:02x}{g:02x}{b:02x}" '
                             f'fo:padding="0.07cm" style:vertical-align="middle"{bg}/></style:style>')
        return name


def _table_xml(name, rows, ncols, style, dbl, probe=None, form=0):
    """rows: list of lists of cells with col/colspan/rowspan; emits covered cells."""
    covered = set()
    out = [f'<table:table table:name="{name}" table:style-name="{style}">']
    out += [f'<table:table-column table:style-name="col{k}"/>' for k in range(ncols)]
    for ri, r in enumerate(rows):
        out.append('<table:table-row table:style-name="Row">')
        by_col = {c["col"]: c for c in r}
        col = 0
        while col < ncols:
            if (ri, col) in covered:
                out.append("<table:covered-table-cell/>")
                col += 1
                continue
            c = by_col.get(col)
            if c is None:
                raise ValueError(f"{name}: row {ri} has no cell at column {col}")
            for dr in range(c["rowspan"]):
                for dc in range(c["colspan"]):
                    if dr or dc:
                        covered.add((ri + dr, col + dc))
            attrs = ""
            if c["colspan"] > 1:
                attrs += f' table:number-columns-spanned="{c["colspan"]}"'
            if c["rowspan"] > 1:
                attrs += f' table:number-rows-spanned="{c["rowspan"]}"'
            lab = c.get("role") in ("label", "block")
            cst = "CellLab" if lab else "Cell"
            span = None
            if probe is not None:
                cst = probe.cell(form, lab)
                span = probe.text(form, c.get("code", 0))
            pst = {"l": "PL", "c": "PC", "r": "PR"}[c.get("align", "c")]
            sh = bool(c.get("path") and c["path"] in dbl and c["text"])
            out.append(f'<table:table-cell table:style-name="{cst}" office:value-type="string"{attrs}>'
                       f'{_p(c["text"], pst, sh, span)}</table:table-cell>')
            col += 1
        out.append("</table:table-row>")
    out.append("</table:table>")
    return "".join(out)


def _prelude_xml(tables, width_cm, first_idx):
    out = []
    for ti, t in enumerate(tables):
        st = "PreTitlePage" if t.get("new_page") else "PreTitle"
        out.append(_p(t["title"], st))
        if t.get("unit"):
            out.append(_p(t["unit"], "Unit"))
        n = len(t["header"])
        tot = sum(t["widths"])
        name = f"Pre{first_idx + ti}"
        cols = "".join(f'<style:style style:name="{name}c{k}" style:family="table-column">'
                       f'<style:table-column-properties style:column-width="{w / tot * width_cm:.3f}cm"/>'
                       f'</style:style>' for k, w in enumerate(t["widths"]))
        rows = [[{"text": h, "col": k, "colspan": 1, "rowspan": 1, "align": "c", "role": "label"}
                 for k, h in enumerate(t["header"])]]
        for row in t["rows"]:
            rows.append([{"text": v, "col": k, "colspan": 1, "rowspan": 1,
                          "align": "r" if k in t.get("numeric_cols", []) else "l",
                          "role": "value"} for k, v in enumerate(row)])
        xml = _table_xml(name, rows, n, "Tab", set())
        xml = xml.replace('table:style-name="col', f'table:style-name="{name}c')
        out.append((cols, xml))
        out.append(_p("", "Gap"))
    return out


def volume_fodt(vol, forms_blocks, lay, opts, doubled, probe=False):
    """As html.volume_html; `probe` colours each form's cells by form and indicator row."""
    pr = Probe() if probe else None
    width_cm = PAGE_W - sum(opts.get("margins_mm", [15, 13, 15, 13])[1::2]) / 10 - 0.05
    body, extra_styles = [], []
    if vol["document_title"] and opts.get("cover", True):
        body.append(_p(vol["document_title"], "Cover"))
    if opts.get("prelude"):
        for item in _prelude_xml(opts["prelude"], width_cm, 1):
            if isinstance(item, tuple):
                extra_styles.append(item[0])
                body.append(item[1])
            else:
                body.append(item)
        if opts.get("section_title"):
            body.append(_p(opts["section_title"], "Section"))
    for i, (form, blocks) in enumerate(zip(vol["forms"], forms_blocks)):
        dbl = doubled[i]
        if (opts.get("form_break") == "page" and not (i == 0 and opts.get("section_title"))) \
                or i in opts.get("title_breaks", ()):
            st = "TitlePage"
        elif i == 0 and not body:
            st = "TitleFirst"
        else:
            st = "Title"
        body.append(_p(form["form_title"], st, "form_title" in dbl))
        yl = opts["year_line"](form["year"])
        if yl:
            body.append(_p(yl, "Year"))
        for bi, b in enumerate(blocks):
            style = "TabCont" if b["break_before"] else "Tab"
            body.append(_table_xml(f"F{i + 1}_{bi + 1}", [r["cells"] for r in b["rows"]], 8,
                                   style, dbl, pr, i + 1))
        body.append(_p("", "Gap"))
    if pr:
        extra_styles += list(pr.styles.values())
    styles = _styles(lay, opts, width_cm).replace("</office:automatic-styles>",
                                                  "".join(extra_styles) + "</office:automatic-styles>")
    title = escape(vol["document_title"] or vol["forms"][0]["form_title"])
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
            f'office:mimetype="application/vnd.oasis.opendocument.text">\n'
            f'<office:meta><dc:title>{title}</dc:title>'
            f'<meta:creation-date>2024-01-01T00:00:00</meta:creation-date></office:meta>\n'
            f'{styles}<office:body><office:text>\n' + "\n".join(body) +
            "\n</office:text></office:body></office:document>\n")


def convert_pdf(fodt_text, out_pdf, workdir):
    stem = os.path.basename(out_pdf)[:-4]
    src = os.path.join(workdir, stem + ".fodt")
    with open(src, "w", encoding="utf-8") as f:
        f.write(fodt_text)
    with tempfile.TemporaryDirectory(prefix="jx-lo-") as prof:
        cmd = ["soffice", "--headless", "--norestore", "--nologo", "--nodefault",
               f"-env:UserInstallation=file://{prof}", "--convert-to", "pdf:writer_pdf_Export",
               "--outdir", workdir, src]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    produced = os.path.join(workdir, stem + ".pdf")
    if r.returncode != 0 or not os.path.exists(produced):
        raise RuntimeError(f"soffice failed ({r.returncode}): {r.stdout[-1000:]} {r.stderr[-1000:]}")
    if os.path.abspath(produced) != os.path.abspath(out_pdf):
        shutil.move(produced, out_pdf)
