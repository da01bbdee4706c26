"""Benchmark of survey.scoring on a district-sized campaign season.

1,000,000 responses x 8 items across 10,000 projects, from raw answers (Likert 1..5 with nan
and 0 = don't know) to validity flags, grid weights, indices with t intervals, satisfied rates
with Wilson intervals, statuses, Cronbach's alpha per questionnaire version and credibility-shrunk
indices. Prints the time and its ratio to a minimal numpy pass over the same answer matrix (one
nan-aware grouped mean per project through np.bincount), measured in the same run.

Run on one core:  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/scoring.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from survey.scoring import ResponseTable, ScoringConfig, score_projects  # noqa: E402

N_GRIDS, GRIDS_PER_COMMUNITY = 852, 8


def make_data(n: int, n_projects: int, k: int, seed: int = 20250101) -> tuple[ResponseTable, dict]:
    rng = np.random.default_rng(seed)
    # Uneven campaign sizes, as in practice: a few projects fall under the 30-response minimum.
    size_weight = rng.lognormal(0.0, 0.6, n_projects)
    project = rng.choice(n_projects, size=n, p=size_weight / size_weight.sum())
    latent = rng.normal(3.9, 0.45, n_projects)[project] + rng.normal(0, 0.6, n)
    raw = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.55, (n, k))), 1, 5)
    u = rng.random((n, k))
    raw[u < 0.03] = np.nan
    raw[(u >= 0.03) & (u < 0.06)] = 0.0
    household = np.arange(n)
    # 1% second submissions from a household: reuse the code of the previous row of the project.
    by_project = np.argsort(project, kind="stable")
    dup = np.flatnonzero(rng.random(n) < 0.01)
    dup = dup[dup > 0]
    household[by_project[dup]] = household[by_project[dup - 1]]
    start = rng.uniform(0, 180 * 86400, n_projects)[project]
    submitted = start + rng.uniform(0, 14 * 86400, n)
    duration = rng.lognormal(np.log(120), 0.5, n)
    duration[rng.random(n) < 0.02] = 5.0
    assisted = rng.random(n) < 0.10
    # Bursts: in 1% of projects six submissions with one answer vector within five minutes.
    burst_projects = rng.choice(n_projects, n_projects // 100, replace=False)
    for p in burst_projects:
        rows = np.flatnonzero(project == p)[:6]
        if rows.size == 6:
            raw[rows] = 5.0
            submitted[rows] = submitted[rows[0]] + np.arange(6) * 40.0
            assisted[rows] = False
    community_of_project = rng.integers(0, N_GRIDS // GRIDS_PER_COMMUNITY, n_projects)
    community = community_of_project[project]
    grid = community * GRIDS_PER_COMMUNITY + rng.integers(0, GRIDS_PER_COMMUNITY, n)
    grid_households = {g: int(h) for g, h in enumerate(rng.integers(150, 900, N_GRIDS))}
    table = ResponseTable(
        project=project, answers=raw, scale=5, household=household, submitted_at=submitted,
        duration=duration, assisted=assisted, grid=grid, community=community,
        version=(project % 4), comparable=(project % 60),
    )
    return table, grid_households


def baseline(table: ResponseTable, n_projects: int) -> np.ndarray:
    """The minimal numpy pass: one nan-aware grouped mean of all answer cells per project."""
    a = table.answers
    k = a.shape[1]
    answered = ~np.isnan(a) & (a > 0)
    rep = np.repeat(table.project, k)
    sums = np.bincount(rep, weights=np.where(answered, a, 0.0).ravel(), minlength=n_projects)
    counts = np.bincount(rep, weights=answered.ravel(), minlength=n_projects)
    return sums / counts


def best_of(repeats: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    table, grid_households = make_data(args.responses, args.projects, args.items)
    config = ScoringConfig()
    t_base, _ = best_of(args.repeats, lambda: baseline(table, args.projects))
    t_full, scores = best_of(args.repeats, lambda: score_projects(table, config, grid_households))
    status = scores.status
    print(f"responses {args.responses:,} x {args.items} items, projects {scores.projects.size:,}")
    print(f"excluded responses {int(scores.validity.excluded.sum()):,}; statuses: "
          + ", ".join(f"{s} {int((status == s).sum())}" for s in ("ok", "low_precision", "under_review", "insufficient_sample")))
    print(f"baseline (one grouped mean)  {t_base * 1000:8.1f} ms")
    print(f"score_projects (everything)  {t_full * 1000:8.1f} ms")
    print(f"ratio                        {t_full / t_base:8.2f}")


if __name__ == "__main__":
    main()
