"""Fixtures for the opinion box tests: demo units and users, opinions made through operations."""
from __future__ import annotations

import pytest

from survey.extensions import db


@pytest.fixture(autouse=True)
def photo_folder(request, tmp_path):
    """Photos of each test go to its own folder, never to the repository's instance folder."""
    if "app" not in request.fixturenames:
        yield None
        return
    app = request.getfixturevalue("app")
    folder = tmp_path / "opinion_photos"
    app.config["OPINION_PHOTO_FOLDER"] = str(folder)
    yield folder


@pytest.fixture
def unit(app, demo):
    from survey.orgs.operations import unit_by_code

    def get(code: str):
        return unit_by_code(code)

    return get


@pytest.fixture
def user(app, demo):
    from survey.people.operations import user_by_username

    return user_by_username


@pytest.fixture
def make_opinion(app, demo):
    """make_opinion(text=..., now=..., community="LJ0101", grid="LJ0101-01", contact=...) -> id"""
    from survey.opinions import operations as ops
    from survey.opinions.models import OpinionCategory
    from survey.orgs.operations import unit_by_code

    def make(text="路灯坏了", *, community="LJ0101", grid=None, category=OpinionCategory.facilities, now=None, contact=None):
        with app.app_context():
            opinion = ops.submit_opinion(
                unit_by_code(community), category, text, grid=unit_by_code(grid) if grid else None,
                contact=contact, now=now,
            )
            db.session.commit()
            return opinion.id

    return make

