"""Expected documents, defects files, schema validation and the --check pass."""
import hashlib
import json
import os
import re

import jsonschema


def schema_path(root):
    for p in (os.path.join(root, "schema", "project.v1.schema.json"),
              os.path.join(os.path.dirname(root), "shared", "schema", "project.v1.schema.json"),
              "/work/shared/schema/project.v1.schema.json"):
        if os.path.exists(p):
            return p
    raise FileNotFoundError("project.v1.schema.json not found (schema/ or ../shared/schema/)")


def validator(root):
    with open(schema_path(root), encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=jsonschema.FormatChecker())


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def document(form, document_title, rel_path, digest, index, pages, extraction):
    return {
        "schema_version": 1,
        "source": {"path": rel_path, "sha256": digest, "form_index": index,
                   "pages": pages, "extraction": extraction},
        "document_title": document_title,
        "form_title": form["form_title"],
        "year": form["year"],
        "project": form["project"],
        "funds": form["funds"],
        "goals": form["goals"],
        "indicators": form["indicators"],
        "repairs": [],
        "warnings": [],
    }


def dump(obj, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def write_expected(out_dir, docs, defects, val):
    if os.path.isdir(out_dir):
        for fn in os.listdir(out_dir):
            if fn.endswith(".json"):
                os.remove(os.path.join(out_dir, fn))
    for d in docs:
        errs = sorted(val.iter_errors(d), key=lambda e: list(e.path))
        if errs:
            raise ValueError(f"{out_dir} form {d['source']['form_index']}: "
                             + "; ".join(f"{list(e.path)}: {e.message}" for e in errs[:5]))
        dump(d, os.path.join(out_dir, f"{d['source']['form_index']:02d}.json"))
    dump(defects, os.path.join(out_dir, "defects.json"))


def check(root, heldout=False):
    """Re-validate samples/expected (heldout: samples/heldout/expected) without
    rendering.  -> exit code.

    samples/expected/{printed,scans}/<stem>/ describes samples/{printed,scans}/<stem>.pdf;
    samples/heldout/expected/<stem>/ describes samples/heldout/scans/<stem>.pdf, and its
    source.path is relative to samples/heldout."""
    samples = os.path.join(root, "samples", "heldout") if heldout else os.path.join(root, "samples")
    exp = os.path.join(samples, "expected")
    val = validator(root)
    passed = failed = 0
    problems = []
    dirs = []
    for kind in (("",) if heldout else ("printed", "scans")):
        base = os.path.join(exp, kind) if kind else exp
        if os.path.isdir(base):
            dirs += [os.path.join(base, d) for d in sorted(os.listdir(base))]
    if not dirs:
        print(f"gen-samples --check: no expected documents under {os.path.relpath(exp, root)}")
        return 1
    for d in dirs:
        rel = os.path.relpath(d, exp)
        if heldout:
            kind, pdf_rel = "scans", "scans/" + rel + ".pdf"
        else:
            kind = rel.split(os.sep)[0]
            pdf_rel = rel.replace(os.sep, "/") + ".pdf"
        pdf = os.path.join(samples, pdf_rel)
        digest = sha256(pdf) if os.path.exists(pdf) else None
        if digest is None:
            problems.append(f"{rel}: {pdf_rel} missing")
        names = sorted(f for f in os.listdir(d) if re.fullmatch(r"\d\d\.json", f))
        if not os.path.exists(os.path.join(d, "defects.json")):
            problems.append(f"{rel}: defects.json missing")
        if [f"{i:02d}.json" for i in range(1, len(names) + 1)] != names:
            problems.append(f"{rel}: documents not numbered 01..{len(names):02d}: {names}")
        for fn in names:
            p = os.path.join(d, fn)
            errs = []
            try:
                with open(p, encoding="utf-8") as f:
                    doc = json.load(f)
                errs += [f"{list(e.path)}: {e.message}" for e in val.iter_errors(doc)]
                src = doc.get("source", {})
                if src.get("path") != pdf_rel:
                    errs.append(f"source.path {src.get('path')!r} != {pdf_rel!r}")
                if digest and src.get("sha256") != digest:
                    errs.append("source.sha256 does not match the PDF")
                if src.get("form_index") != int(fn[:2]):
                    errs.append(f"source.form_index {src.get('form_index')} != {fn[:2]}")
                want = "text" if kind == "printed" else "ocr"
                if src.get("extraction") != want:
                    errs.append(f"source.extraction {src.get('extraction')!r} != {want!r}")
                if src.get("pages") != sorted(src.get("pages", [])):
                    errs.append("source.pages not ascending")
            except Exception as e:  # report and go on
                errs.append(f"{type(e).__name__}: {e}")
            if errs:
                failed += 1
                problems += [f"{rel}/{fn}: {e}" for e in errs]
            else:
                passed += 1
    for p in problems:
        print("FAIL", p)
    print(f"gen-samples --check{' --heldout' if heldout else ''}: {len(dirs)} PDFs")
    print(f"{passed} passed, {failed} failed")
    return 0 if not problems else 1
