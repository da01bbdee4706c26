"""Pure scoring for the platform: numpy/scipy in, frozen dataclasses out.

Never import flask or sqlalchemy here (tests/scoring checks every file). The fixed public API
of SCORING.md is re-exported below; the appraisal package is the only bridge from the database.
"""

from .cadres import (
    CadreComposite, cadre_composite, democratic_score, leadership_satisfaction, leadership_satisfaction_from,
    regular_score,
)
from .compare import PairComparison, RankComparison, compare_ranks, holm_adjust
from .config import DEFAULT_CONFIG, ScoringConfig
from .estimates import Estimate, RateEstimate, drop_extremes_mean, likert_to_100, mean_interval, wilson_interval
from .grades import (
    Candidate, GradeRun, PoolSummary, Proposal, grade_cycle, grade_pools, propose_grades, quota_places,
)
from .members import MemberAnnual, MemberHalfYear, member_annual_score, member_half_year_score
from .projects import ProjectIndex, ProjectScores, ResponseTable, campaign_index, score_projects
from .reliability import Alpha, cronbach_alpha, cronbach_alpha_from_cov
from .shrinkage import Shrunk, ShrunkGroups, credibility_shrink, shrink_comparable
from .validity import Validity
from .weighting import ConvergenceError, post_stratify, rake, trim_weights

__all__ = [
    "Alpha", "Candidate", "CadreComposite", "ConvergenceError", "DEFAULT_CONFIG", "Estimate", "GradeRun",
    "MemberAnnual", "MemberHalfYear", "PairComparison", "PoolSummary", "ProjectIndex", "ProjectScores",
    "Proposal", "RankComparison", "RateEstimate", "ResponseTable", "ScoringConfig", "Shrunk", "ShrunkGroups",
    "Validity", "cadre_composite", "campaign_index", "compare_ranks", "credibility_shrink",
    "cronbach_alpha", "cronbach_alpha_from_cov", "democratic_score", "drop_extremes_mean", "grade_pools",
    "grade_cycle", "holm_adjust", "leadership_satisfaction", "leadership_satisfaction_from", "likert_to_100", "mean_interval", "member_annual_score",
    "member_half_year_score", "post_stratify", "propose_grades", "quota_places", "rake", "regular_score",
    "score_projects", "shrink_comparable", "trim_weights", "wilson_interval",
]
