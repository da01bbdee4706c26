"""Property-based checks (hypothesis): bounds, containment, quota, shrinkage, order independence."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from survey.scoring import (
    Candidate, ResponseTable, credibility_shrink, grade_pools, mean_interval, quota_places, score_projects,
    wilson_interval,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
K = 5


@st.composite
def response_tables(draw, min_rows=1, max_rows=120):
    n = draw(st.integers(min_rows, max_rows))
    answers = draw(hnp.arrays(np.float64, (n, K), elements=st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, np.nan])))
    project = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 4)))
    # Distinct submission times so that "the first submission" is always well defined.
    times = np.array(draw(st.permutations(list(range(n))))) * draw(st.sampled_from([7.0, 61.0, 200.0]))
    household = draw(hnp.arrays(np.int64, n, elements=st.integers(0, max(1, n // 2))))
    duration = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([3.0, 30.0, 300.0])))
    assisted = draw(hnp.arrays(np.bool_, n))
    grid = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 5)))
    return ResponseTable(project=project, answers=answers, household=household, submitted_at=times,
                         duration=duration, assisted=assisted, grid=grid, community=grid // 3,
                         version=project % 2, comparable=project % 2)


HOUSEHOLDS = {g: 50 + 40 * g for g in range(6)}


@SETTINGS
@given(response_tables())
def test_indices_stay_within_0_and_100(t):
    res = score_projects(t, grid_households=HOUSEHOLDS)
    for arr in (res.index, res.low, res.high, res.shrunk, res.respondent_score):
        finite = arr[np.isfinite(arr)]
        assert np.all((finite >= 0) & (finite <= 100))
    for arr in (res.satisfied, res.satisfied_low, res.satisfied_high):
        finite = arr[np.isfinite(arr)]
        assert np.all((finite >= 0) & (finite <= 1))


@SETTINGS
@given(response_tables(min_rows=2), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(t, rnd):
    order = np.arange(t.project.size)
    rnd.shuffle(order)
    shuffled = ResponseTable(**{f: (getattr(t, f)[order] if isinstance(getattr(t, f), np.ndarray) else getattr(t, f))
                                for f in t.__dataclass_fields__})
    a = score_projects(t, grid_households=HOUSEHOLDS)
    b = score_projects(shuffled, grid_households=HOUSEHOLDS)
    np.testing.assert_array_equal(a.projects, b.projects)
    for name in ("n_submitted", "n_valid", "excluded_by_reason", "insufficient", "low_precision", "under_review"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for name in ("index", "low", "high", "n_eff", "satisfied", "satisfied_low", "shrunk", "z", "grand_mean"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-9, atol=1e-9, err_msg=name)
    np.testing.assert_array_equal(a.validity.reason[order], b.validity.reason)
    np.testing.assert_array_equal(a.validity.flags[order], b.validity.flags)


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(2, 60), elements=st.floats(0, 100)),
       st.one_of(st.none(), st.floats(0.1, 10)), st.floats(0.5, 0.999))
def test_mean_interval_contains_its_estimate(values, weight_scale, confidence):
    weights = None if weight_scale is None else np.linspace(0.3, 3, values.size) * weight_scale
    est = mean_interval(values, confidence=confidence, weights=weights)
    if np.isnan(est.low):
        return
    assert est.low <= est.value + 1e-9 and est.value <= est.high + 1e-9


@SETTINGS
@given(st.floats(0.5, 5000), st.floats(0, 1), st.floats(0.5, 0.999))
def test_wilson_contains_the_observed_share(n, share, confidence):
    low, high = wilson_interval(share * n, n, confidence)
    assert 0 <= low <= share + 1e-12 and share - 1e-12 <= high <= 1


@SETTINGS
@given(st.lists(st.tuples(st.floats(40, 100), st.floats(2, 500), st.floats(0, 900)), min_size=1, max_size=30),
       st.one_of(st.none(), st.floats(0.5, 80)))
def test_shrunk_value_lies_between_raw_and_grand_mean(groups, k):
    m, n, v = (np.array(x) for x in zip(*groups))
    res = credibility_shrink(m, n, v, k=k)
    low, high = np.minimum(m, res.grand_mean), np.maximum(m, res.grand_mean)
    assert np.all(res.values >= low - 1e-9) and np.all(res.values <= high + 1e-9)
    assert np.all((res.z > 0) & (res.z < 1))
    if k is None:
        assert 2.0 <= res.k <= 50.0


VOTES = st.fixed_dictionaries({c: st.integers(0, 12) for c in ("excellent", "competent", "basic", "incompetent")})


@st.composite
def candidate_lists(draw):
    n = draw(st.integers(1, 30))
    scores = st.sampled_from([60.0, 75.5, 85.0, 88.25, 90.0, 90.0, 95.0, 99.99])  # repeats make ties
    return [Candidate(id=i, pool=draw(st.sampled_from(["A", "B", "C"])), score=draw(st.one_of(scores, st.floats(0, 100))),
                      votes=draw(VOTES), barred=draw(st.booleans())) for i in range(n)]


@SETTINGS
@given(candidate_lists(), st.sampled_from([0.1, 0.2, 0.3, 0.5]), st.sampled_from(["floor", "half_up", "ceil"]))
def test_quota_is_never_exceeded_and_order_does_not_matter(cands, quota, rounding):
    run = grade_pools(cands, quota=quota, rounding=rounding)
    for pool, summary in run.pools.items():
        members = [p for c, p in zip(cands, run.proposals) if c.pool == pool]
        excellent = sum(p.grade == "excellent" for p in members)
        assert excellent == summary.used <= summary.places == quota_places(len(members), quota, rounding)
        assert summary.unused == summary.places - summary.used
    for c, p in zip(cands, run.proposals):
        assert p.id == c.id
        if c.barred:
            assert p.grade != "excellent"
    reversed_run = grade_pools(list(reversed(cands)), quota=quota, rounding=rounding)
    assert {p.id: p for p in run.proposals} == {p.id: p for p in reversed_run.proposals}
