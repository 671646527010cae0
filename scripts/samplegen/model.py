"""Volume specs (samples/src/*.json): loading, checking, and the printed forms of values.

A volume spec has the shape of the corpus truth-src file:
    {"document_title": str|null, "forms": [form, ...], "render": {...}}
where each form is a project document without `source` (schema_version, repairs and
warnings may be present or not).  An indicator's `value` may be given as the printed
string only; `op`/`number`/`unit` are then derived by `parse_value`.  Where the spec
gives them, they must agree with `parse_value` (so the parse rules live in one place).
"""
import copy
import datetime
import json
import re
from decimal import Decimal

TAXONOMY = {
    "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
    "产出指标": ["数量指标", "质量指标", "时效指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}

MONEY_RE = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
OPS = "=≥≤><"
# A value is numeric when it is: optional comparison, a number, then optionally a unit in
# brackets (half- or full-width) or a bare %/‰.  Anything else is words: op/number/unit null.
VALUE_RE = re.compile(
    r"^\s*(?P<op>[=≥≤><])?\s*(?P<num>-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*"
    r"(?:[(（]\s*(?P<unit>[^()（）]+?)\s*[)）]|(?P<bare>[%‰]))?\s*$")


class SpecError(Exception):
    pass


def parse_value(text):
    """The contract's value parse: {text, op, number, unit}."""
    m = VALUE_RE.match(text)
    if not m:
        return {"text": text, "op": None, "number": None, "unit": None}
    unit = m.group("unit") or m.group("bare")
    return {"text": text, "op": m.group("op"), "number": m.group("num").replace(",", ""),
            "unit": unit}


# ----------------------------------------------------------------- printing
def fmt_money(value, style):
    """Print a money string ("1094910000.00") the way a form does; None prints blank."""
    if value is None:
        return ""
    d = Decimal(value)
    if style == "grouped":          # 1,094,910,000.00
        return f"{d:,.2f}"
    if style == "plain":            # 1094910000.00
        return f"{d:.2f}"
    if style == "bare":             # 116822 (integral) / 116822.50
        return f"{d:.0f}" if d == d.to_integral_value() else f"{d:.2f}"
    raise SpecError(f"unknown money style {style!r}")


def fmt_date(iso, style):
    """Print an ISO date the way a form does; None prints blank."""
    if iso is None:
        return ""
    d = datetime.date.fromisoformat(iso)
    if style == "iso":              # 2024-01-01
        return d.isoformat()
    if style == "cn":               # 2024年1月1日
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "slash":            # 2024/1/1
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":              # 2024.01.01
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    raise SpecError(f"unknown date style {style!r}")


def fmt_year_line(year, style):
    if year is None:
        return None
    if style == "fullwidth":
        return f"（{year}年度）"
    return f"({year}年度)"


# ----------------------------------------------------------------- loading
FORM_KEYS = ["form_title", "year", "project", "funds", "goals", "indicators"]
PROJECT_KEYS = ["name", "nature", "category", "department", "implementer",
                "start_date", "end_date"]


def load_volume(path):
    with open(path, encoding="utf-8") as f:
        vol = json.load(f)
    return normalize_volume(vol, str(path))


def normalize_volume(vol, where):
    if "forms" not in vol or not vol["forms"]:
        raise SpecError(f"{where}: no forms")
    out = {"document_title": vol.get("document_title"), "forms": [],
           "render": vol.get("render", {})}
    for i, form in enumerate(vol["forms"], 1):
        out["forms"].append(normalize_form(form, f"{where} form {i}"))
    names = [f["project"]["name"] for f in out["forms"]]
    if len(set(names)) != len(names):
        raise SpecError(f"{where}: project names must be unique in a volume")
    return out


def normalize_form(form, where):
    for k in FORM_KEYS:
        if k not in form:
            raise SpecError(f"{where}: missing {k}")
    f = {k: copy.deepcopy(form[k]) for k in FORM_KEYS}
    if not f["form_title"] or re.search(r"\s", f["form_title"]):
        raise SpecError(f"{where}: form_title must be non-empty without spaces")
    for k in PROJECT_KEYS:
        if k not in f["project"]:
            raise SpecError(f"{where}: project.{k} missing")
    for k in ("start_date", "end_date"):
        v = f["project"][k]
        if v is not None:
            datetime.date.fromisoformat(v)
    for part, keys in (("project_total", ["total", "fiscal", "other"]),
                       ("annual", ["total", "appropriation", "carryover", "other"])):
        for k in keys:
            v = f["funds"][part][k]
            if v is not None and not MONEY_RE.match(v):
                raise SpecError(f"{where}: funds.{part}.{k} {v!r} is not a money string")
    inds = []
    for j, ind in enumerate(f["indicators"]):
        val = ind["value"]
        parsed = parse_value(val if isinstance(val, str) else val["text"])
        if not isinstance(val, str):
            for k in ("op", "number", "unit"):
                if k in val and val[k] != parsed[k]:
                    raise SpecError(f"{where}: indicators[{j}].value.{k} {val[k]!r} "
                                    f"disagrees with the parse {parsed[k]!r}")
        inds.append({"level1": ind["level1"], "level2": ind["level2"], "name": ind["name"],
                     "value": parsed})
    f["indicators"] = inds
    return f


# ----------------------------------------------------------------- checks a tool should flag
def sum_mismatches(form):
    """Where a funds total is not the sum of its parts (blank parts count 0)."""
    out = []
    a = form["funds"]["annual"]
    if a["total"] is not None:
        parts = [a[k] for k in ("appropriation", "carryover", "other") if a[k] is not None]
        if parts and Decimal(a["total"]) != sum(Decimal(p) for p in parts):
            out.append("funds.annual.total")
    p = form["funds"]["project_total"]
    if p["total"] is not None:
        parts = [p[k] for k in ("fiscal", "other") if p[k] is not None]
        if parts and Decimal(p["total"]) != sum(Decimal(x) for x in parts):
            out.append("funds.project_total.total")
    return out


def nonstandard_levels(form):
    out = []
    for j, ind in enumerate(form["indicators"]):
        l1, l2 = ind["level1"], ind["level2"]
        if l1 not in TAXONOMY:
            out.append(f"indicators[{j}].level1")
        elif l2 not in TAXONOMY[l1]:
            out.append(f"indicators[{j}].level2")
    return out
