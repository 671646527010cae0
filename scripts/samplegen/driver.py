"""gen-samples: volumes -> printed PDFs, scans, expected JSON, defects."""
import argparse
import glob
import json
import os
import shutil
import subprocess
import tempfile

from . import expected, fodt, html, layout, locate, model, pdfnorm

TOOLS = {"chromium": "chromium", "soffice": "libreoffice-writer", "pdftotext": "poppler-utils",
         "pdftoppm": "poppler-utils", "pdfinfo": "poppler-utils", "fc-match": "fontconfig"}
FONTS = ["Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei"]


def preflight():
    missing = [f"{t} (apt: {p})" for t, p in TOOLS.items() if shutil.which(t) is None]
    if shutil.which("fc-list"):
        fams = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
        missing += [f"font {f!r} (apt: fonts-noto-cjk / fonts-wqy-zenhei)" for f in FONTS
                    if f not in fams]
    return missing


def rel_samples(root, path):
    return os.path.relpath(path, os.path.join(root, "samples")).replace(os.sep, "/")


# ----------------------------------------------------------------- options
def variant_opts(vol, v):
    r = vol["render"]
    o = {
        "producer": v["producer"],
        "layout": v.get("layout", "classic"),
        "money": v.get("money", "grouped"),
        "dates": v.get("dates", "iso"),
        "year_style": v.get("year_style", "ascii"),
        "cover": v.get("cover", True),
        "doubling": v.get("doubling", "offset" if v["producer"] == "chromium" else "shadow"),
        "duplicate": v.get("duplicate", {}),
        "shadow_titles": v.get("shadow_titles", False),
        "shadow_levels": v.get("shadow_levels", False),
        "repeat": v.get("repeat_levels_after_break", False),
        "break_before": v.get("break_before", {}),
        "title_breaks": set(),
        "form_break": v.get("form_break", r.get("form_break")),
        "prelude": v.get("prelude", r.get("prelude")),
        "section_title": v.get("section_title", r.get("section_title")),
    }
    if "margins_mm" in v:
        o["margins_mm"] = v["margins_mm"]
    o["year_line"] = lambda y, s=o["year_style"]: model.fmt_year_line(y, s)
    return o


def form_opts(o, nn):
    return {"money": o["money"], "dates": o["dates"], "duplicate": o["duplicate"].get(nn, []),
            "shadow_titles": o["shadow_titles"], "shadow_levels": o["shadow_levels"]}


def render(vol, blocks, lay, o, doubled, out_pdf, work, probe=False):
    if o["producer"] == "chromium":
        html.print_pdf(html.volume_html(vol, blocks, lay, o, doubled, o["doubling"], probe),
                       out_pdf, work)
    elif o["producer"] == "libreoffice":
        if o["doubling"] != "shadow":
            raise model.SpecError("libreoffice renders doubling as shadow only")
        fodt.convert_pdf(fodt.volume_fodt(vol, blocks, lay, o, doubled, probe), out_pdf, work)
    else:
        raise model.SpecError(f"unknown producer {o['producer']!r}")


# ----------------------------------------------------------------- page breaks
def next_cut(loc, splits, forced):
    """The first page break inside an indicator block that a split does not already sit on
    -> (form, new list of splits) or None.

    A break before row j wants a split at j.  A break inside row j (the row straddles
    the page end) wants a split at j too, unless j already starts a block; a split made
    later in the same form is then dropped, since it is what made row j grow (its merged
    level cell lost the rows below it)."""
    for i, L in enumerate(loc):
        rows, sp = L["rows"], splits[i]
        for j in range(len(rows)):
            starts_block = j == 0 or j in sp
            if j and rows[j][0] > rows[j - 1][1] and j not in sp:
                return i, sorted(sp + [j])
            if rows[j][1] > rows[j][0] and not starts_block:
                return i, sorted({k for k in sp if k < j or k in forced[i]} | {j})
    return None


def level_cells_cut(loc, forms):
    """Merged level cells that a page break cuts (a break before row j inside the span)."""
    out = []
    for i, L in enumerate(loc):
        rows, inds = L["rows"], forms[i]["indicators"]
        for j in range(1, len(rows)):
            if rows[j][0] > rows[j - 1][1] and inds[j]["level1"] == inds[j - 1]["level1"]:
                out.append(f"{i + 1:02d}:indicators[{j}].level1")
                if inds[j]["level2"] == inds[j - 1]["level2"]:
                    out.append(f"{i + 1:02d}:indicators[{j}].level2")
    return out


def breaks_in_indicators(loc):
    out = []
    for i, L in enumerate(loc):
        rows = L["rows"]
        for j in range(len(rows)):
            if j and rows[j][0] > rows[j - 1][1]:
                out.append(f"{i + 1:02d}:before indicators[{j}]")
            if rows[j][1] > rows[j][0]:
                out.append(f"{i + 1:02d}:inside indicators[{j}]")
    return out


def find_pages(probe_pdf, vol):
    """Pages per form and per indicator row, from the probe's colours; the text layer
    (locate.locate) is read too, as a check of order and of the colour reading."""
    loc, npages = locate.locate(probe_pdf, vol)
    fpages, rpages = locate.colour_pages(probe_pdf, len(vol["forms"]))
    for i, L in enumerate(loc):
        what = f"{os.path.basename(probe_pdf)} form {i + 1}"
        pages = sorted(fpages.get(i + 1, ()))
        if not pages or pages != list(range(pages[0], pages[-1] + 1)):
            raise RuntimeError(f"{what}: colour pages {pages} not contiguous")
        if pages[0] != L["table_start"] or pages[-1] < L["pages"][-1]:
            raise RuntimeError(f"{what}: colour pages {pages} disagree with text "
                               f"{L['pages']}")
        rows = []
        for j, (tf, tl) in enumerate(L["rows"]):
            rp = sorted(rpages.get((i + 1, j + 1), ()))
            if not rp or rp[0] > tf or rp[-1] < tl:
                raise RuntimeError(f"{what} indicators[{j}]: colour pages {rp} disagree with "
                                   f"text pages {(tf, tl)}")
            rows.append((rp[0], rp[-1]))
        L["pages"], L["rows"] = pages, rows
    return loc, npages


def paginate(vol, lay, o, probe_pdf, work, log):
    """Render without doubling; for the repeat variant, cut the tables at the page breaks
    inside indicator blocks until the cuts settle."""
    forced = [sorted(o["break_before"].get(f"{i + 1:02d}", [])) for i in range(len(vol["forms"]))]
    if any(forced) and not o["repeat"] and o["producer"] != "chromium":
        raise model.SpecError("break_before inside a table needs chromium (or the repeat variant)")
    splits = [list(f) if o["repeat"] else [] for f in forced]
    row_breaks = [[] if o["repeat"] else f for f in forced]
    seen = set()
    for _ in range(60):
        blocks = [layout.form_blocks(f, form_opts(o, f"{i + 1:02d}"), lay, splits[i],
                                     row_breaks[i])
                  for i, f in enumerate(vol["forms"])]
        render(vol, blocks, lay, o, [set() for _ in vol["forms"]], probe_pdf, work, probe=True)
        loc, npages = find_pages(probe_pdf, vol)
        orphans = [i for i, L in enumerate(loc)
                   if L["title_page"] != L["table_start"] and i not in o["title_breaks"]]
        if orphans:   # a title left alone at a page end: start that form on a new page
            log(f"    form {orphans[0] + 1:02d}: title parted from its table -> new page")
            o["title_breaks"].add(orphans[0])
            continue
        if not o["repeat"]:
            break
        cut = next_cut(loc, splits, forced)
        if cut is None:
            break
        i, new = cut
        key = (i, tuple(new))
        if key in seen:
            raise RuntimeError(f"pagination cycles at form {i + 1}: {new}")
        seen.add(key)
        log(f"    form {i + 1:02d}: table cut before indicators{new} (level cells repeated)")
        splits[i] = new
    else:
        raise RuntimeError("pagination did not settle")
    return blocks, loc, npages, splits


# ----------------------------------------------------------------- one printed PDF
def printed(root, stem, vol, v, work, val, log):
    o = variant_opts(vol, v)
    lay = layout.LAYOUTS[o["layout"]]
    name = f"{stem}-{v['variant']}"
    out_pdf = os.path.join(root, "samples", "printed", name + ".pdf")
    os.makedirs(os.path.dirname(out_pdf), exist_ok=True)
    log(f"  printed/{name}.pdf ({o['producer']}, layout {o['layout']})")
    probe = os.path.join(work, name + ".probe.pdf")
    blocks, loc, npages, splits = paginate(vol, lay, o, probe, work, log)
    nforms = len(vol["forms"])
    for nn in o["duplicate"]:
        if not (1 <= int(nn) <= nforms):
            raise model.SpecError(f"{name}: duplicate for form {nn}: no such form")
    doubled = []
    for i, f in enumerate(vol["forms"]):
        paths = layout.doubled_paths(blocks[i], form_opts(o, f"{i + 1:02d}"))
        known = {c["path"]: c["text"] for b in blocks[i] for r in b["rows"] for c in r["cells"]
                 if c["path"]}
        for p in paths:
            if p != "form_title" and not known.get(p):
                raise model.SpecError(f"{name} form {i + 1:02d}: {p} is not a printed cell")
        doubled.append(paths)
    # the sample itself: black, with its doubled cells; it must paginate like the probe
    render(vol, blocks, lay, o, [set(d) for d in doubled], out_pdf, work)
    a, b = locate.page_char_counts(probe), locate.page_char_counts(out_pdf)
    if len(a) != len(b) or any(a[k] - b[k] for k in range(len(a))):
        raise RuntimeError(f"{name}: the final rendering paginates unlike the probe")
    if not any(doubled) and a != b:
        raise RuntimeError(f"{name}: the final rendering's text differs from the probe's")
    pdfnorm.normalize(out_pdf)
    digest = expected.sha256(out_pdf)
    rel = rel_samples(root, out_pdf)
    title = vol["document_title"] if o["cover"] else None
    docs = [expected.document(f, title, rel, digest, i + 1, loc[i]["pages"], "text")
            for i, f in enumerate(vol["forms"])]
    for i, L in enumerate(loc):
        if L["title_page"] != L["table_start"]:
            log(f"    note: form {i + 1:02d} title on page {L['title_page']}, "
                f"table from page {L['table_start']}")
    repeated = []
    for i, f in enumerate(vol["forms"]):
        repeated += [f"{i + 1:02d}:{p}" for p in layout.repeated_level_paths(f, splits[i])]
    defects = {
        "pdf": rel,
        "producer": o["producer"],
        "layout": o["layout"],
        "pages": npages,
        "forms": nforms,
        "duplicate_glyphs": [f"{i + 1:02d}:{p}" for i, d in enumerate(doubled) for p in d],
        "duplicate_style": (o["doubling"] if any(doubled) else None),
        "level_cells_repeated_after_break": bool(o["repeat"]),
        "repeated_level_cells": repeated,
        "level_cells_cut_by_break": level_cells_cut(loc, vol["forms"]),
        "page_breaks_in_indicators": breaks_in_indicators(loc),
        "forced_page_breaks": [f"{nn}:indicators[{j}]" for nn, js in sorted(o["break_before"].items())
                               for j in js],
        "titles_moved_to_new_page": [f"{i + 1:02d}" for i in sorted(o["title_breaks"])],
        "forms_across_pages": [f"{i + 1:02d}" for i, L in enumerate(loc) if len(L["pages"]) > 1],
        "money_format": o["money"],
        "date_format": o["dates"],
        "year_line": o["year_style"],
        "cover_title": title is not None,
        "form_titles": sorted({f["form_title"] for f in vol["forms"]}),
        "non_form_tables": [t["title"] for t in (o["prelude"] or [])],
        "first_form_page": loc[0]["table_start"],
        **content_defects(vol),
    }
    expected.write_expected(os.path.join(root, "samples", "expected", "printed", name), docs,
                            defects, val)
    log(f"    {nforms} forms, {npages} pages; pages per form: "
        + " ".join(f"{i + 1}:{L['pages'][0]}-{L['pages'][-1]}" for i, L in enumerate(loc)))
    return {"pdf": rel, "forms": nforms, "pages": npages, "probe": probe, "o": o}


def content_defects(vol):
    sums, levels, overall, blank_dates, no_year = [], [], [], [], []
    for i, f in enumerate(vol["forms"]):
        nn = f"{i + 1:02d}"
        sums += [f"{nn}:{p}" for p in model.sum_mismatches(f)]
        levels += [f"{nn}:{p}" for p in model.nonstandard_levels(f)]
        if f["goals"]["overall"]:
            overall.append(nn)
        if f["project"]["start_date"] is None or f["project"]["end_date"] is None:
            blank_dates.append(nn)
        if f["year"] is None:
            no_year.append(nn)
    return {"sum_mismatch": sums, "nonstandard_levels": levels, "goals_overall_filled": overall,
            "blank_dates": blank_dates, "no_year_line": no_year}


# ----------------------------------------------------------------- one scan
def scanned(root, stem, vol, s, work, val, log, heldout=False):
    """One simulated scan.  heldout: write it to samples/heldout/scans and its documents
    to samples/heldout/expected/<stem>/ (source.path relative to samples/heldout)."""
    from . import scan  # numpy + Pillow, not needed by --check

    v = next((x for x in vol["render"]["printed"] if x["variant"] == s["from"]), None)
    if v is None:
        raise model.SpecError(f"{stem}: scan {s['name']} from unknown variant {s['from']!r}")
    sub = dict(vol)
    if s.get("forms"):
        sub["forms"] = [vol["forms"][k - 1] for k in s["forms"]]
        renum = {f"{k:02d}": f"{n:02d}" for n, k in enumerate(s["forms"], 1)}
        v = dict(v)
        v["break_before"] = {renum[k]: js for k, js in v.get("break_before", {}).items()
                             if k in renum}
    if s.get("prelude") is False:   # the scan leaves out the tables before the forms
        v = dict(v)
        v["prelude"] = None
    o = variant_opts(sub, v)
    lay = layout.LAYOUTS[o["layout"]]
    name = f"{stem}-{s['name']}"
    src_pdf = os.path.join(work, name + ".source.pdf")
    probe = os.path.join(work, name + ".probe.pdf")
    log(f"  scans/{name}.pdf (from {o['producer']} rendering, {s['dpi']} dpi)")
    blocks, loc, npages, _splits = paginate(sub, lay, o, probe, work, log)
    # what is scanned: the black rendering without doubled cells
    render(sub, blocks, lay, o, [set() for _ in sub["forms"]], src_pdf, work)
    if locate.page_char_counts(probe) != locate.page_char_counts(src_pdf):
        raise RuntimeError(f"{name}: the scanned rendering paginates unlike the probe")
    base = os.path.join(root, "samples", "heldout") if heldout else os.path.join(root, "samples")
    out_pdf = os.path.join(base, "scans", name + ".pdf")
    os.makedirs(os.path.dirname(out_pdf), exist_ok=True)
    info = scan.make_scan(src_pdf, out_pdf, s["dpi"], s.get("quality", 45), s.get("seed", 1),
                          seal_pages=s.get("seal_pages", []), seal_text=s.get("seal_text", ""),
                          seal_bottom=s.get("seal_bottom", ""),
                          seal_near=s.get("seal_near", "实施单位"), knobs=scan.Knobs(
                              s.get("rotation_deg"), s.get("noise_sigma"), s.get("specks"),
                              s.get("blur"), s.get("lighting"), s.get("seal_shift_mm")))
    digest = expected.sha256(out_pdf)
    rel = os.path.relpath(out_pdf, base).replace(os.sep, "/")
    title = sub["document_title"] if o["cover"] else None
    docs = [expected.document(f, title, rel, digest, i + 1, loc[i]["pages"], "ocr")
            for i, f in enumerate(sub["forms"])]
    defects = {
        "pdf": rel,
        "producer": "scan simulation of a " + o["producer"] + " rendering (no doubled glyphs)",
        "layout": o["layout"],
        "pages": npages,
        "forms": len(sub["forms"]),
        "source_forms": s.get("forms") or list(range(1, len(vol["forms"]) + 1)),
        "dpi": s["dpi"],
        "jpeg_quality": s.get("quality", 45),
        "page_images": info,
        **({"degradation": {k: s[k] for k in ("rotation_deg", "noise_sigma", "specks", "blur",
                                              "lighting", "seal_near", "seal_shift_mm")
                            if k in s}} if heldout else {}),
        "seal_pages": [p["page"] for p in info if p["seal"]],
        "duplicate_glyphs": [],
        "level_cells_repeated_after_break": bool(o["repeat"]),
        "repeated_level_cells": [f"{i + 1:02d}:{p}" for i, f in enumerate(sub["forms"])
                                 for p in layout.repeated_level_paths(f, _splits[i])],
        "level_cells_cut_by_break": level_cells_cut(loc, sub["forms"]),
        "page_breaks_in_indicators": breaks_in_indicators(loc),
        "forms_across_pages": [f"{i + 1:02d}" for i, L in enumerate(loc) if len(L["pages"]) > 1],
        "money_format": o["money"],
        "date_format": o["dates"],
        "cover_title": title is not None,
        **content_defects(sub),
    }
    exp_dir = (os.path.join(base, "expected", name) if heldout
               else os.path.join(base, "expected", "scans", name))
    expected.write_expected(exp_dir, docs, defects, val)
    log(f"    {len(docs)} forms, {npages} pages, {os.path.getsize(out_pdf) / 1e6:.2f} MB")
    return {"pdf": rel, "forms": len(docs), "pages": npages}


# ----------------------------------------------------------------- held-out scans
# Specs in samples/src that are not volumes.
NOT_VOLUMES = {"scan-variants.json", "heldout.json"}


def heldout(root, a, val):
    """Render the held-out scans of samples/src/heldout.json into samples/heldout (which
    this owns: it is emptied first).  Nothing else under samples/ is touched."""
    spec = json.load(open(os.path.join(root, "samples", "src", "heldout.json"),
                                encoding="utf-8"))
    out = os.path.join(root, "samples", "heldout")
    for d in ("scans", "expected"):
        shutil.rmtree(os.path.join(out, d), ignore_errors=True)
    work = a.keep_work or tempfile.mkdtemp(prefix="jx-heldout-")
    os.makedirs(work, exist_ok=True)
    results = []
    log = lambda m: print(m, flush=True)  # noqa: E731
    try:
        for s in spec["scans"]:
            stem = s["volume"]
            vol = model.load_volume(os.path.join(root, "samples", "src", stem + ".json"))
            results.append(scanned(root, stem, vol, s, work, val, log, heldout=True))
    finally:
        if not a.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"gen-samples --heldout: {len(results)} PDFs, {sum(r['forms'] for r in results)} "
          f"forms, {sum(r['pages'] for r in results)} pages")
    return expected.check(root, heldout=True)


# ----------------------------------------------------------------- main
def main(root, argv):
    ap = argparse.ArgumentParser(prog="gen-samples")
    ap.add_argument("--check", action="store_true",
                    help="only re-validate samples/expected (no rendering)")
    ap.add_argument("--only", action="append", help="volume stem(s) to render")
    ap.add_argument("--no-scans", action="store_true")
    ap.add_argument("--keep-work", help="keep intermediate HTML/FODT/PDF in this folder")
    ap.add_argument("--heldout", action="store_true",
                    help="only the held-out scans of samples/src/heldout.json, into "
                         "samples/heldout (with --check: re-validate samples/heldout)")
    a = ap.parse_args(argv)
    if a.check:
        return expected.check(root, heldout=a.heldout)
    missing = preflight()
    if missing:
        print("gen-samples: missing: " + "; ".join(missing))
        print("gen-samples: run scripts/setup-sample-tools first")
        return 2
    val = expected.validator(root)
    if a.heldout:
        return heldout(root, a, val)
    specs = sorted(p for p in glob.glob(os.path.join(root, "samples", "src", "*.json"))
                   if os.path.basename(p) not in NOT_VOLUMES)
    if a.only:
        specs = [p for p in specs if os.path.basename(p)[:-5] in a.only]
    if not specs:
        print("gen-samples: no volume specs in samples/src")
        return 2
    if not a.only:   # a full run owns these folders: no stale files survive it
        for d in ("printed", "scans", "expected"):
            shutil.rmtree(os.path.join(root, "samples", d), ignore_errors=True)
    work = a.keep_work or tempfile.mkdtemp(prefix="jx-samples-")
    os.makedirs(work, exist_ok=True)
    results = []
    try:
        for spec in specs:
            stem = os.path.basename(spec)[:-5]
            vol = model.load_volume(spec)
            print(f"{stem}: {len(vol['forms'])} forms", flush=True)
            log = lambda m: print(m, flush=True)  # noqa: E731
            for v in vol["render"].get("printed", []):
                results.append(printed(root, stem, vol, v, work, val, log))
            if not a.no_scans:
                for s in vol["render"].get("scans", []):
                    results.append(scanned(root, stem, vol, s, work, val, log))
    finally:
        if not a.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"gen-samples: {len(results)} PDFs, {sum(r['forms'] for r in results)} forms, "
          f"{sum(r['pages'] for r in results)} pages")
    return expected.check(root)
