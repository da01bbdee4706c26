"""create_matter: the entry point the opinion box uses to turn an opinion into a proposal."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.core.audit import AuditEntry, verify_chain
from survey.core.errors import DomainError
from survey.deliberations import operations as ops
from survey.deliberations.models import Matter
from survey.deliberations.workflow import SourceKind, Stage
from survey.extensions import db
from survey.orgs.operations import unit_by_code


def test_create_matter_from_an_opinion_writes_proposal_and_audit(app, demo):
    with app.app_context():
        unit = unit_by_code("LJ0101")
        matter = ops.create_matter(None, unit, "加装电梯", "3号楼老人上下楼难", "resident_opinion", "3号楼住户",
                                   source_reference="YJ-ABC123")
        db.session.commit()
        matter = db.session.get(Matter, matter.id)
        assert matter.stage is Stage.proposal
        assert matter.proposal.source_kind is SourceKind.resident_opinion
        assert matter.proposal.source_reference == "YJ-ABC123"
        assert matter.proposal.signatures is None
        entry = db.session.scalar(select(AuditEntry).filter_by(object_type="matter", object_id=str(matter.id)))
        assert entry.action == "matter.create" and entry.unit_id == unit.id
        assert entry.payload_data["source_reference"] == "YJ-ABC123"
        assert verify_chain().ok


def test_create_matter_refusals(app, demo):
    with app.app_context():
        with pytest.raises(DomainError):
            ops.create_matter(None, unit_by_code("LJ01"), "t", "d", "grid", "")  # a street, not a community
        with pytest.raises(DomainError):
            ops.create_matter(None, unit_by_code("LJ0101"), "t", "d", "joint_signatures", "")  # no count
        with pytest.raises(ValueError):
            ops.create_matter(None, unit_by_code("LJ0101"), "t", "d", "rumour", "")
        matter = ops.create_matter(None, unit_by_code("LJ0101"), "t", "d", SourceKind.joint_signatures, "", 12)
        assert matter.proposal.signatures == 12
