"""Survey weights: post-stratification by grid, raking, trimming."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ._groups import factorize


class ConvergenceError(ValueError):
    """Raking did not reach its margins (inconsistent totals or an empty cell)."""


def _population_lookup(uniques: np.ndarray, population: Mapping[object, float]) -> np.ndarray:
    missing = [u for u in uniques.tolist() if u not in population]
    if missing:
        raise ValueError(f"strata without a population count: {missing[:5]}")
    return np.array([float(population[u]) for u in uniques.tolist()], dtype=np.float64)


def post_stratify(strata: object, population: Mapping[object, float]) -> np.ndarray:
    """g_i = (N_h / N) / (n_h / n) over the strata present in the sample."""
    labels = np.asarray(strata)
    uniques, codes = factorize(labels)
    pop = _population_lookup(uniques, population)
    n_h = np.bincount(codes, minlength=uniques.size).astype(np.float64)
    share_pop = pop / pop.sum()
    share_sample = n_h / labels.size
    return (share_pop / share_sample)[codes]


def rake(
    seed: object,
    margins: Sequence[tuple[object, Mapping[object, float]]],
    tol: float = 1e-6,
    max_iter: int = 100,
) -> np.ndarray:
    """Iterative proportional fitting of the seed weights to each margin's target totals."""
    w = np.asarray(seed, dtype=np.float64).copy()
    prepared = []
    for labels, targets in margins:
        lab = np.asarray(labels)
        if lab.shape != w.shape:
            raise ValueError("each margin needs one label per respondent")
        uniques, codes = factorize(lab)
        target = _population_lookup(uniques, targets)
        absent = set(targets) - set(uniques.tolist())
        if any(targets[a] > 0 for a in absent):
            raise ConvergenceError(f"margin cells with a target but no respondent: {sorted(map(str, absent))[:5]}")
        prepared.append((codes, target))

    def worst_error() -> float:
        errs = [np.max(np.abs(np.bincount(c, weights=w, minlength=t.size) - t) / np.where(t > 0, t, 1.0))
                for c, t in prepared]
        return float(max(errs)) if errs else 0.0

    for _ in range(max_iter):
        if worst_error() < tol:
            return w
        for codes, target in prepared:
            current = np.bincount(codes, weights=w, minlength=target.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, target / current, 0.0)
            w = w * factor[codes]
    if worst_error() < tol:
        return w
    raise ConvergenceError(f"raking did not converge in {max_iter} iterations")


def trim_weights(weights: np.ndarray, bounds: tuple[float, float] = (0.3, 3.0),
                 groups: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
    """Clip weights to [low, high] x their (group's) mean: one extreme household must not carry a project."""
    w = np.asarray(weights, dtype=np.float64)
    g = np.zeros(w.size, dtype=np.int64) if groups is None else groups
    sums = np.bincount(g, weights=w, minlength=n_groups)
    counts = np.bincount(g, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (sums / counts)[g]
    return np.clip(w, bounds[0] * mean, bounds[1] * mean)


def grid_weights(
    project: np.ndarray,
    n_projects: int,
    grid: np.ndarray,
    community: np.ndarray | None,
    grid_households: Mapping[object, float],
    min_responses: int = 3,
    trim: tuple[float, float] = (0.3, 3.0),
) -> np.ndarray:
    """Post-stratification by grid within each project, all projects at once.

    Grids with fewer than ``min_responses`` responses in a project are merged into their
    community (one stratum per project and community, population = the merged grids'
    households), so that one answered door cannot stand for a whole grid.
    """
    grid_u, grid_c = factorize(np.asarray(grid))
    pop_per_grid = _population_lookup(grid_u, grid_households)
    n_grids = grid_u.size
    if community is None:
        comm_c = np.zeros(project.size, dtype=np.int64)
        n_comm = 1
    else:
        comm_u, comm_c = factorize(np.asarray(community))
        n_comm = comm_u.size
    cell = project.astype(np.int64) * n_grids + grid_c
    cell_u, cell_c = factorize(cell)
    if community is not None:
        # A grid lies in one community; mixed rows would make the merged strata depend on row order.
        first_comm = np.zeros(cell_u.size, dtype=np.int64)
        first_comm[cell_c] = comm_c
        if np.any(first_comm[cell_c] != comm_c):
            raise ValueError("each grid must belong to one community")
    cell_n = np.bincount(cell_c, minlength=cell_u.size)
    small = cell_n[cell_c] < min_responses
    # Strata ids: grid cells keep their id, merged cells take an id past every grid id.
    stratum = np.where(small, n_grids + comm_c, grid_c)
    key = project.astype(np.int64) * (n_grids + n_comm) + stratum
    key_u, key_c = factorize(key)
    n_h = np.bincount(key_c, minlength=key_u.size).astype(np.float64)
    # A merged stratum's population sums its distinct merged grids: take each (project, grid)
    # cell once, then add the cells into their stratum.
    first_of_cell = np.zeros(cell_u.size, dtype=np.int64)
    first_of_cell[cell_c] = key_c
    cell_grid = cell_u % n_grids
    pop_h = np.bincount(first_of_cell, weights=pop_per_grid[cell_grid], minlength=key_u.size)
    key_project = key_u // (n_grids + n_comm)
    pop_p = np.bincount(key_project, weights=pop_h, minlength=n_projects)
    n_p = np.bincount(key_project, weights=n_h, minlength=n_projects)
    with np.errstate(divide="ignore", invalid="ignore"):
        g_h = (pop_h / pop_p[key_project]) / (n_h / n_p[key_project])
    w = g_h[key_c]
    return trim_weights(w, trim, project, n_projects)
