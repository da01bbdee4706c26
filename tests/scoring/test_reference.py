"""Published reference values (shared/reference/scoring_vectors.json) at their published precision."""

from __future__ import annotations

import numpy as np
import pytest

from survey.scoring import compare_ranks, cronbach_alpha, wilson_interval


def test_cronbach_alpha_statology(reference):
    case = reference["cronbach_alpha_raw"]
    matrix = np.array(case["items_by_column"], dtype=float).T
    result = cronbach_alpha(matrix)
    assert result.alpha == pytest.approx(case["alpha"], abs=1e-9)
    assert (result.n, result.k) == (10, 3)
    low, high = case["feldt_95"]
    assert round(result.low, 3) == low
    assert round(result.high, 3) == high


@pytest.mark.parametrize("index", [0, 1])
def test_wilson_newcombe_table_1(reference, index):
    case = reference["wilson_95"]["cases"][index]
    low, high = wilson_interval(case["successes"], case["n"])
    assert round(low, 4) == case["interval"][0]
    assert round(high, 4) == case["interval"][1]


def test_kruskal_wallis_hollander_wolfe(reference):
    case = reference["kruskal_wallis"]
    result = compare_ranks(case["groups"])
    assert round(result.statistic, 5) == case["statistic"]
    assert result.df == case["df"]
    assert round(result.p_value, 2) == case["p_value"]
