"""A form as producer-neutral table blocks: rows of cells on an 8-column grid.

Both writers (HTML for Chromium, flat ODT for LibreOffice) draw exactly these blocks, so
the two producers print the same cells.  Grid columns:

    c0  block label (项目资金(元) / 项目绩效目标 / 绩效指标)
    c1  一级指标            c2  二级指标
    c3..c5  三级指标        c6..c7  指标值
and the upper part of the form re-uses the same columns with spans (see `form_blocks`).

A cell: {"text", "col", "colspan", "rowspan", "align" (l/c/r), "role", "path", "code"};
`path` is the JSON path of the field the cell prints (None for labels), `role` one of
label/value/level/block, `code` the indicator row it starts in plus one (0 elsewhere).  A block: {"rows": [row...], "break_before": bool,
"continuation": bool}; a row: {"cells": [...], "kind": "top"|"ihead"|"ind", "ind": j}.
"""
from .model import fmt_date, fmt_money

LAYOUTS = {
    # widths are relative, 8 columns; fonts are fontconfig family names
    "classic": {"cols": [6.5, 11.4, 12.2, 13.8, 11.4, 12.7, 12.2, 19.8],
                "font": "Noto Serif CJK SC", "title_font": "Noto Sans CJK SC",
                "size": 10.0, "title_size": 15.0, "cover_size": 16.5, "label_bg": None,
                "fund_block": "项目资金(元)", "goal_block": "项目绩效目标",
                "ind_block": "绩效指标", "value_head": "年度(/项目)指标值"},
    "narrow": {"cols": [5.0, 9.0, 10.0, 19.0, 10.0, 13.0, 10.0, 24.0],
               "font": "Noto Sans CJK SC", "title_font": "Noto Sans CJK SC",
               "size": 9.5, "title_size": 14.0, "cover_size": 16.0, "label_bg": "#ececec",
               "fund_block": "项目资金（元）", "goal_block": "项目绩效目标",
               "ind_block": "绩效指标", "value_head": "年度(/项目)指标值"},
    "wide-levels": {"cols": [7.0, 13.5, 15.0, 12.0, 9.0, 11.5, 11.0, 21.0],
                    "font": "Noto Serif CJK SC", "title_font": "WenQuanYi Zen Hei",
                    "size": 10.5, "title_size": 16.0, "cover_size": 17.0, "label_bg": None,
                    "fund_block": "项目资金(元)", "goal_block": "项目绩效目标",
                    "ind_block": "绩效指标", "value_head": "年度指标值"},
}


def cell(text, col, colspan=1, rowspan=1, align="c", role="label", path=None):
    code = 0
    if path and path.startswith("indicators["):
        code = int(path[len("indicators["):path.index("]")]) + 1
    return {"text": text, "col": col, "colspan": colspan, "rowspan": rowspan,
            "align": align, "role": role, "path": path, "code": code}


def probe_color(form_index, code, border=False):
    """Colour of a cell's text (or of a table's rules) in the probe rendering: the form in
    red, the indicator row (code = j + 1; 0 for the rest of the table) in green, text or
    rule in blue.  See locate.colour_pages."""
    return (20 * form_index, 0 if border else 15 * code, 80 if border else 160)


def top_rows(form, opts, lay):
    """项目名称 … 项目绩效目标: the fixed upper part of the form."""
    p, fu, g = form["project"], form["funds"], form["goals"]
    money, dates = opts["money"], opts["dates"]
    pt, an = fu["project_total"], fu["annual"]
    M = lambda v: fmt_money(v, money)  # noqa: E731
    rows = [
        [cell("项目名称", 0, 2), cell(p["name"], 2, 2, align="l", role="value",
                                     path="project.name"),
         cell("项目性质", 4), cell(p["nature"], 5, role="value", path="project.nature"),
         cell("项目类别", 6), cell(p["category"], 7, role="value", path="project.category")],
        [cell("主管部门", 0, 2), cell(p["department"], 2, 3, align="l", role="value",
                                     path="project.department"),
         cell("实施单位", 5), cell(p["implementer"], 6, 2, align="l", role="value",
                                   path="project.implementer")],
        [cell("计划开始日期", 0, 2), cell(fmt_date(p["start_date"], dates), 2, 3, role="value",
                                         path="project.start_date"),
         cell("计划完成日期", 5), cell(fmt_date(p["end_date"], dates), 6, 2, role="value",
                                       path="project.end_date")],
        [cell(lay["fund_block"], 0, 1, 4, role="block"),
         cell("项目资金总额", 1, 2), cell(M(pt["total"]), 3, 2, 1, "r", "value",
                                         "funds.project_total.total"),
         cell("年度资金申请总额", 5, 2), cell(M(an["total"]), 7, 1, 1, "r", "value",
                                             "funds.annual.total")],
        [cell("其中：财政资金", 1, 2, 2), cell(M(pt["fiscal"]), 3, 2, 2, "r", "value",
                                              "funds.project_total.fiscal"),
         cell("其中：当年财政拨款", 5, 2), cell(M(an["appropriation"]), 7, 1, 1, "r", "value",
                                               "funds.annual.appropriation")],
        [cell("上年结转资金", 5, 2), cell(M(an["carryover"]), 7, 1, 1, "r", "value",
                                          "funds.annual.carryover")],
        [cell("其他资金", 1, 2), cell(M(pt["other"]), 3, 2, 1, "r", "value",
                                      "funds.project_total.other"),
         cell("其他资金", 5, 2), cell(M(an["other"]), 7, 1, 1, "r", "value",
                                      "funds.annual.other")],
        [cell(lay["goal_block"], 0, 1, 2, role="block"),
         cell("项目总目标", 1, 3), cell("年度总体目标", 4, 4)],
        [cell(g["overall"] or "", 1, 3, align="l", role="value", path="goals.overall"),
         cell(g["annual"] or "", 4, 4, align="l", role="value", path="goals.annual")],
    ]
    return [{"cells": r, "kind": "top", "ind": None} for r in rows]


def spans(indicators, start, end, key):
    """[(first, count)] runs of equal `key` (level1 or level1+level2) within [start, end)."""
    out, j = [], start
    while j < end:
        k = j
        while k + 1 < end and key(indicators[k + 1]) == key(indicators[j]):
            k += 1
        out.append((j, k - j + 1))
        j = k + 1
    return out


def indicator_rows(form, lay, start, end, with_head, block_label):
    """Rows for indicators [start, end), merged level cells computed inside the range."""
    inds = form["indicators"]
    n = end - start
    rows = []
    l1_starts = dict(spans(inds, start, end, lambda x: x["level1"]))
    l2_starts = dict(spans(inds, start, end, lambda x: (x["level1"], x["level2"])))
    c0_rows = n + (1 if with_head else 0)
    c0 = cell(block_label, 0, 1, c0_rows, role="block")
    if with_head:
        rows.append({"cells": [c0, cell("一级指标", 1), cell("二级指标", 2),
                               cell("三级指标", 3, 3), cell(lay["value_head"], 6, 2)],
                     "kind": "ihead", "ind": None})
    for j in range(start, end):
        cells = []
        if j == start and not with_head:
            cells.append(c0)
        if j in l1_starts:
            cells.append(cell(inds[j]["level1"], 1, 1, l1_starts[j], role="level",
                              path=f"indicators[{j}].level1"))
        if j in l2_starts:
            cells.append(cell(inds[j]["level2"], 2, 1, l2_starts[j], role="level",
                              path=f"indicators[{j}].level2"))
        cells.append(cell(inds[j]["name"], 3, 3, align="l", role="value",
                          path=f"indicators[{j}].name"))
        cells.append(cell(inds[j]["value"]["text"], 6, 2, role="value",
                          path=f"indicators[{j}].value"))
        rows.append({"cells": cells, "kind": "ind", "ind": j})
    return rows


def form_blocks(form, opts, lay, split_at=(), row_breaks=()):
    """The form's table blocks.  `split_at`: indicator indexes before which the table is
    cut and continued after a forced page break, with the level cells printed again.
    `row_breaks`: indicator indexes whose row starts a new page inside the same table
    (merged level cells run on, blank on the new page)."""
    n = len(form["indicators"])
    cuts = [k for k in sorted(set(split_at)) if 0 < k < n]
    bounds = [0] + cuts + [n]
    blocks = []
    first = top_rows(form, opts, lay)
    for b, (s, e) in enumerate(zip(bounds, bounds[1:])):
        label = lay["ind_block"] if b == 0 else ""
        rows = indicator_rows(form, lay, s, e, with_head=(b == 0), block_label=label)
        if b == 0:
            blocks.append({"rows": first + rows, "break_before": False, "continuation": False})
        else:
            blocks.append({"rows": rows, "break_before": True, "continuation": True})
    for b in blocks:
        for r in b["rows"]:
            r["break_before"] = r["kind"] == "ind" and r["ind"] in set(row_breaks)
    return blocks


def repeated_level_paths(form, split_at):
    """Level cells printed again on the new page: the merged cells cut by a split."""
    inds = form["indicators"]
    out = []
    for k in sorted(set(split_at)):
        if 0 < k < len(inds):
            if inds[k]["level1"] == inds[k - 1]["level1"]:
                out.append(f"indicators[{k}].level1")
                if inds[k]["level2"] == inds[k - 1]["level2"]:
                    out.append(f"indicators[{k}].level2")
    return out


def doubled_paths(blocks, opts):
    """The JSON paths whose cells the producer draws twice in this rendering.

    `opts["duplicate"]`: explicit field paths of this form; `opts["shadow_titles"]`: the
    form title; `opts["shadow_levels"]`: every level cell (each merged cell once, at the
    first indicator it covers in its block)."""
    out = [p for p in opts.get("duplicate", [])]
    if opts.get("shadow_titles") and "form_title" not in out:
        out.append("form_title")
    if opts.get("shadow_levels"):
        for b in blocks:
            for r in b["rows"]:
                for c in r["cells"]:
                    if c["role"] == "level" and c["path"] not in out:
                        out.append(c["path"])
    return out
