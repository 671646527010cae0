"""Find on which pages of a rendered PDF each form's table and each indicator row lie.

Reads the text layer with `pdftotext -raw` (content-stream order: both producers paint
a table cell by cell, row by row) and walks the forms in order with a cursor.  Runs on a
rendering without doubled glyphs (the probe), which paginates like the final one.

Per form: the table starts at its 项目名称 label (searched after the form title) and ends
with its last indicator row; a row's first page is where its 三级指标 text begins, its
last page where the last characters of its 三级指标 or its value are.
"""
import re
import subprocess
import unicodedata

# CJK Radicals Supplement code points some producers write into ToUnicode; NFKC leaves
# these alone (Kangxi radicals U+2F00.. NFKC maps itself).
RADICALS = {"⻔": "门", "⺠": "民", "⻓": "长", "⻋": "车", "⻅": "见", "⻚": "页", "⻛": "风",
            "⻜": "飞", "⻝": "食", "⻢": "马", "⻥": "鱼", "⻦": "鸟", "⻩": "黄", "⻬": "齐",
            "⻮": "齿", "⻰": "龙", "⻳": "龟", "⺟": "母", "⺩": "王", "⻉": "贝", "⻄": "西",
            "⻆": "角", "⻘": "青", "⻨": "麦", "⺁": "厂", "⺇": "几", "⻈": "讠"}
WILD = "\x00"


def norm_chars(s):
    out = []
    for ch in s:
        if ch.isspace():
            continue
        ch = RADICALS.get(ch, ch)
        for c in unicodedata.normalize("NFKC", ch):
            if c.isspace():
                continue
            if 0x2E80 <= ord(c) <= 0x2FDF:
                c = WILD
            out.append(c)
    return out


def page_texts(pdf):
    txt = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", pdf, "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = txt.split("\f")
    if pages and pages[-1].strip() == "":
        pages = pages[:-1]
    return pages


class Stream:
    """All pages' characters, normalized, with the page number of each."""

    def __init__(self, pages):
        self.chars, self.page = [], []
        for i, t in enumerate(pages, 1):
            cs = norm_chars(t)
            self.chars += cs
            self.page += [i] * len(cs)
        self.text = "".join(self.chars)

    def find(self, needle, start):
        """First match of needle at or after start -> (begin, end) or None.  A wildcard
        in the stream (unmapped radical) matches any one character."""
        n = "".join(norm_chars(needle))
        if not n:
            return None
        pat = "".join(f"(?:{re.escape(c)}|{WILD})" for c in n)
        m = re.compile(pat).search(self.text, start)
        return (m.start(), m.end()) if m else None


class LocateError(Exception):
    pass


def _must(stream, needle, start, what):
    r = stream.find(needle, start)
    if r is None:
        ctx = stream.text[start:start + 80]
        raise LocateError(f"{what}: {needle!r} not found after offset {start} (next: {ctx!r})")
    return r


def _head(s, k=6):
    n = "".join(norm_chars(s))
    return n[:k]


def _tail(s, k=6):
    n = "".join(norm_chars(s))
    return n[-k:]


def locate(pdf, vol):
    """-> list per form of {"pages": [...], "table_start": p, "title_page": p,
    "rows": [(first_page, last_page) per indicator]}."""
    pages = page_texts(pdf)
    st = Stream(pages)
    cur = 0
    out = []
    for i, form in enumerate(vol["forms"], 1):
        what = f"form {i}"
        t0, t1 = _must(st, form["form_title"], cur, what + " title")
        n0, _ = _must(st, "项目名称", t1, what + " 项目名称")
        table_start = st.page[n0]
        # the project name follows its label
        _, cur = _must(st, form["project"]["name"], n0, what + " project.name")
        _, cur = _must(st, "三级指标", cur, what + " indicator header")
        rows = []
        for j, ind in enumerate(form["indicators"]):
            w = f"{what} indicators[{j}]"
            h0, h1 = _must(st, _head(ind["name"]), cur, w + " name head")
            e0, e1 = _must(st, _tail(ind["name"]), h0, w + " name tail")
            v0, v1 = _must(st, ind["value"]["text"], h0, w + " value")
            first = st.page[h0]
            last = max(st.page[e1 - 1], st.page[v1 - 1])
            rows.append((first, last))
            cur = max(e1, v1)
        end = max(r[1] for r in rows) if rows else table_start
        out.append({"pages": list(range(table_start, end + 1)), "table_start": table_start,
                    "title_page": st.page[t0], "rows": rows})
    return out, len(pages)


def page_char_counts(pdf):
    """Per page, a multiset of normalized characters (to compare two renderings)."""
    from collections import Counter
    return [Counter(norm_chars(t)) for t in page_texts(pdf)]


def colour_pages(pdf, nforms, dpi=72):
    """Pages of a probe rendering on which each form's table and each indicator row are
    drawn, read from the colours of layout.probe_color (rasterized without anti-aliasing).

    -> ({form: set(pages)}, {(form, code): set(pages)}); form 1-based, code 0 for the
    table's rules and its non-indicator cells, j + 1 for indicator row j."""
    import os
    import tempfile

    import numpy as np
    from PIL import Image

    forms, rows = {}, {}
    with tempfile.TemporaryDirectory(prefix="jx-colour-") as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-aa", "no", "-aaVector", "no",
                        "-thinlinemode", "solid", "-png", pdf, os.path.join(tmp, "p")],
                       check=True)
        files = sorted(os.listdir(tmp))
        for pno, fn in enumerate(files, 1):
            a = np.asarray(Image.open(os.path.join(tmp, fn)).convert("RGB")).reshape(-1, 3)
            cols, counts = np.unique(a, axis=0, return_counts=True)
            for (r, g, b), n in zip(cols.tolist(), counts.tolist()):
                if n < 2:
                    continue
                fi, fr = round(r / 20), r - 20 * round(r / 20)
                if not (1 <= fi <= nforms) or abs(fr) > 3:
                    continue
                if abs(b - 160) <= 3:
                    code = round(g / 15)
                    if abs(g - 15 * code) > 3:
                        continue
                elif abs(b - 80) <= 3 and g <= 3:
                    code = 0
                else:
                    continue
                forms.setdefault(fi, set()).add(pno)
                rows.setdefault((fi, code), set()).add(pno)
    return forms, rows
