"""Plain-language templates (Chinese first, English second) for ``explain()``.

This package cannot import Flask-Babel, so the text lives here as data; the web layer may wrap
these strings or show them as they are. Keys are stable: the printed sheet refers to them.
"""

from __future__ import annotations

import math
from typing import Mapping

LANGS: tuple[str, ...] = ("zh", "en")

TEMPLATES: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "estimate": "{value}（{conf}% 置信区间 {low}–{high}），有效样本 n={n}，等效样本量 {n_eff}",
        "estimate_no_interval": "{value}，样本 n={n}，样本太少，无法计算区间",
        "rate": "满意率 {value}（{conf}% Wilson 区间 {low}–{high}），等效样本量 {n_eff}",
        "alpha": "Cronbach α = {alpha}（{conf}% Feldt 区间 {low}–{high}），{n} 份完整答卷，{k} 个题目",
        "alpha_low": "α 低于 {min}：各题目的一致性不足，结果应谨慎解读。",
        "shrunk": "可信度调整后 {value}（原始 {raw}，可信度权重 z={z}，k={k}，同类项目均值 {grand}）",
        "project_head": "项目 {project}：满意度指数",
        "project_counts": "共收到 {submitted} 份答卷，有效 {valid} 份，剔除 {excluded} 份（{reasons}）。",
        "status_ok": "状态：正常，可公布。",
        "status_insufficient_sample": "状态：样本不足（有效答卷少于 {n_min} 份），不公布分数。",
        "status_low_precision": "状态：精度不足（区间半宽超过 {max_hw} 分），公布时附提示，不计入评优。",
        "status_under_review": "状态：待复核（超过 {share}% 的答卷被剔除）。",
        "member_head": "报到党员 {member} 半年得分：{score}，等次：{grade}",
        "member_components": "参与 P={P}，居民评价 R={R}，社区党组织评价 C={C}；使用权重 {weights}。",
        "member_annual": "报到党员 {member} 年度得分：{score}（{halves} 个半年的平均），等次：{grade}",
        "cadre_head": "干部 {cadre} 年度综合得分：{score}",
        "cadre_incomplete": "干部 {cadre} 的考核不完整（缺少必需的 {missing}），不评定等次。",
        "cadre_components": "各项得分：{components}；使用权重：{weights}；加分 {bonus}，扣分 {deduction}。",
        "proposal": "{id}：建议等次 {grade}{rank}{flags}。建议由平台提出，由党委（党组）决定。",
        "pool": "考核单元 {pool}：{size} 人，优秀名额 {places} 个，已用 {used} 个，未用 {unused} 个。",
        "ranks": "Kruskal-Wallis 检验 H={h}，自由度 {df}，p={p}；仅作描述，不用于评定等次。",
        "pair": "{a} 与 {b}：U={u}，Holm 校正后 p={p}",
        "flags": "标记：{flags}",
        "none": "无",
        "sep": "；",
    },
    "en": {
        "estimate": "{value} ({conf}% interval {low}–{high}), valid n={n}, effective n={n_eff}",
        "estimate_no_interval": "{value}, n={n}: too few answers for an interval",
        "rate": "satisfied rate {value} ({conf}% Wilson interval {low}–{high}), effective n={n_eff}",
        "alpha": "Cronbach's alpha = {alpha} ({conf}% Feldt interval {low}–{high}) from {n} complete responses to {k} items",
        "alpha_low": "Alpha is below {min}: the items do not hang together well; read the result with care.",
        "shrunk": "credibility-adjusted {value} (raw {raw}, credibility z={z}, k={k}, mean of comparable projects {grand})",
        "project_head": "Project {project}: satisfaction index",
        "project_counts": "{submitted} responses received, {valid} valid, {excluded} excluded ({reasons}).",
        "status_ok": "Status: ok, published.",
        "status_insufficient_sample": "Status: insufficient sample (fewer than {n_min} valid responses); no score is published.",
        "status_low_precision": "Status: low precision (interval half width above {max_hw} points); published with a warning, not counted towards 'excellent'.",
        "status_under_review": "Status: under review (more than {share}% of responses were excluded).",
        "member_head": "Reporting member {member}, half-year score {score}, grade {grade}",
        "member_components": "participation P={P}, residents' rating R={R}, party organisation's assessment C={C}; weights used {weights}.",
        "member_annual": "Reporting member {member}, annual score {score} (mean of {halves} half-year(s)), grade {grade}",
        "cadre_head": "Cadre {cadre}, annual composite score {score}",
        "cadre_incomplete": "The appraisal of cadre {cadre} is incomplete (missing required {missing}); no grade.",
        "cadre_components": "components {components}; weights used {weights}; bonus {bonus}, deduction {deduction}.",
        "proposal": "{id}: proposed grade {grade}{rank}{flags}. The platform proposes; the party committee decides.",
        "pool": "Pool {pool}: {size} candidates, {places} excellent place(s), {used} used, {unused} unused.",
        "ranks": "Kruskal-Wallis H={h}, df {df}, p={p}; descriptive only, never used for grades.",
        "pair": "{a} vs {b}: U={u}, Holm-adjusted p={p}",
        "flags": "flags: {flags}",
        "none": "none",
        "sep": "; ",
    },
}

LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "excellent": "优秀", "competent": "称职", "basic": "基本称职", "incompetent": "不称职",
        "qualified": "合格", "basically_qualified": "基本合格", "unqualified": "不合格",
        "needs_review": "需复核", "tie_at_quota": "名额线并列", "not_eligible": "不具备评优资格",
        "duplicate": "同户重复", "burst": "短时集中相同答卷", "straightline_speeding": "答案全同且过快",
        "incomplete": "作答不足一半", "straightline": "答案全同", "speeding": "作答过快",
        "assisted": "网格员协助", "renormalised": "权重已重新归一", "single_half": "仅有一个半年",
        "did_not_report": "未报到", "few_ratings": "居民评价少于 5 份",
        "incomplete_appraisal": "考核不完整", "low_reliability": "信度偏低",
        "insufficient_sample": "样本不足", "low_precision": "精度不足", "under_review": "待复核",
        "ok": "正常", "fixed_k": "同类项目少于 5 个，k 取 10",
    },
    "en": {
        "excellent": "excellent", "competent": "competent", "basic": "basically competent",
        "incompetent": "incompetent", "qualified": "qualified",
        "basically_qualified": "basically qualified", "unqualified": "unqualified",
        "needs_review": "needs review", "tie_at_quota": "tie at the quota line",
        "not_eligible": "not eligible for excellent", "duplicate": "duplicate household",
        "burst": "burst of identical answers", "straightline_speeding": "straight-lining while speeding",
        "incomplete": "less than half answered", "straightline": "straight-lining",
        "speeding": "speeding", "assisted": "assisted by a grid worker",
        "renormalised": "weights renormalised", "single_half": "only one half-year",
        "did_not_report": "did not report", "few_ratings": "fewer than 5 residents' ratings",
        "incomplete_appraisal": "incomplete appraisal", "low_reliability": "low reliability",
        "insufficient_sample": "insufficient sample", "low_precision": "low precision",
        "under_review": "under review", "ok": "ok",
        "fixed_k": "fewer than 5 comparable projects, k = 10",
    },
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    return lang


def render(lang: str, key: str, **values: object) -> str:
    return TEMPLATES[check_lang(lang)][key].format(**values)


def label(lang: str, code: str) -> str:
    return LABELS[check_lang(lang)].get(code, code)


def labels(lang: str, codes: tuple[str, ...] | list[str]) -> str:
    if not codes:
        return TEMPLATES[check_lang(lang)]["none"]
    return "、".join(label(lang, c) for c in codes) if lang == "zh" else ", ".join(label(lang, c) for c in codes)


def num(value: object, digits: int = 1) -> str:
    """Format a number for people: fixed decimals, and a dash for a missing value."""
    if value is None:
        return "—"
    x = float(value)  # type: ignore[arg-type]
    if math.isnan(x):
        return "—"
    return f"{x:.{digits}f}"
