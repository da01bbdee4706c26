"""The scoring package stays pure and keeps the fixed public API of SCORING.md."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import survey.scoring as scoring

PACKAGE = Path(__file__).resolve().parents[2] / "survey" / "scoring"
FORBIDDEN = ("flask", "sqlalchemy", "flask_")


def _imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "__import__", "import_module") and node.args and isinstance(node.args[0], ast.Constant):
            roots.add(str(node.args[0].value).split(".")[0])
    return roots


def test_no_web_or_database_imports_under_scoring():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 10
    for path in files:
        roots = _imported_roots(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        bad = {r for r in roots if r.lower() in ("flask", "sqlalchemy") or r.lower().startswith("flask_")}
        assert not bad, f"{path.name} imports {bad}"


def test_checker_catches_a_forbidden_import():
    roots = _imported_roots(ast.parse("import flask_babel\nfrom sqlalchemy.orm import Session\n"))
    assert {"flask_babel", "sqlalchemy"} <= roots


def _params(fn) -> list[tuple[str, object]]:
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]


def test_public_signatures_match_the_specification():
    empty = inspect.Parameter.empty
    assert _params(scoring.likert_to_100) == [("values", empty), ("k", empty)]
    assert _params(scoring.mean_interval) == [("values", empty), ("confidence", 0.95), ("weights", None)]
    assert _params(scoring.wilson_interval) == [("successes", empty), ("n", empty), ("confidence", 0.95)]
    assert _params(scoring.cronbach_alpha) == [("matrix", empty), ("confidence", 0.95)]
    assert _params(scoring.cronbach_alpha_from_cov) == [("cov", empty)]
    assert _params(scoring.post_stratify) == [("strata", empty), ("population", empty)]
    assert _params(scoring.rake) == [("seed", empty), ("margins", empty), ("tol", 1e-6), ("max_iter", 100)]
    assert _params(scoring.credibility_shrink) == [("means", empty), ("ns", empty), ("variances", empty), ("k", None)]
    assert _params(scoring.drop_extremes_mean) == [("values", empty), ("min_n", 6)]
    assert _params(scoring.propose_grades) == [("candidates", empty), ("quota", 0.20), ("rounding", "floor"),
                                              ("excellent_min", 85.0)]


def test_result_types_have_the_specified_leading_fields():
    def fields(cls):
        return list(cls.__dataclass_fields__)

    assert fields(scoring.Estimate)[:5] == ["value", "low", "high", "n", "n_eff"]
    assert fields(scoring.Alpha)[:5] == ["alpha", "low", "high", "n", "k"]
    assert fields(scoring.Shrunk) == ["values", "z", "k", "grand_mean"]
    assert fields(scoring.Candidate) == ["id", "pool", "score", "votes", "barred"]
    assert fields(scoring.Proposal) == ["id", "grade", "flags", "rank"]
    for cls in (scoring.Estimate, scoring.Alpha, scoring.Shrunk, scoring.Candidate, scoring.Proposal,
                scoring.ProjectIndex, scoring.CadreComposite, scoring.MemberHalfYear, scoring.ScoringConfig):
        assert cls.__dataclass_params__.frozen, cls


def test_the_app_does_not_load_scipy_stats():
    """scipy.stats costs each worker about 46 MB and 0.4 s at start: the intervals use
    scipy.special, and only the descriptive rank comparison imports scipy.stats, when called."""
    import subprocess
    import sys

    code = (
        "import sys; from survey import create_app; create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "import survey.scoring; print('scipy.stats' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
