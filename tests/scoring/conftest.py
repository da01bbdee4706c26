"""Fixtures for the scoring tests (pure: no app, no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared/reference/scoring_vectors.json"


@pytest.fixture(scope="session")
def reference() -> dict:
    if not REFERENCE.exists():
        pytest.skip(f"published reference values not found at {REFERENCE} (CI keeps shared/ beside the clone)")
    return json.loads(REFERENCE.read_text(encoding="utf-8"))
