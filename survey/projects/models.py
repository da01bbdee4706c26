"""Livelihood projects (民生项目) that residents rate."""
from __future__ import annotations

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import TimestampMixin, enum_column
from survey.extensions import db
from survey.orgs.models import OrgUnit


class ProjectType(enum.Enum):
    elderly_canteen = "elderly_canteen"
    garbage_sorting = "garbage_sorting"
    home_elderly_care = "home_elderly_care"
    road_works = "road_works"
    greening = "greening"
    other = "other"

    @property
    def label(self):
        return PROJECT_TYPE_LABELS[self]


PROJECT_TYPE_LABELS = {
    ProjectType.elderly_canteen: _l("Elderly canteen"),
    ProjectType.garbage_sorting: _l("Garbage-sorting station"),
    ProjectType.home_elderly_care: _l("Home elderly-care centre"),
    ProjectType.road_works: _l("Road works"),
    ProjectType.greening: _l("Greening works"),
    ProjectType.other: _l("Other livelihood project"),
}


class ProjectStatus(enum.Enum):
    planned = "planned"
    in_progress = "in_progress"
    completed = "completed"
    suspended = "suspended"

    @property
    def label(self):
        return {
            ProjectStatus.planned: _l("Planned"),
            ProjectStatus.in_progress: _l("In progress"),
            ProjectStatus.completed: _l("Completed"),
            ProjectStatus.suspended: _l("Suspended"),
        }[self]


class Project(TimestampMixin, db.Model):
    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    project_type: Mapped[ProjectType] = mapped_column(enum_column(ProjectType, "project_type"))
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus, "project_status"), default=ProjectStatus.planned)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    # Names of the responsible cadres as entered; the appraisal links cadre records later.
    responsible: Mapped[str] = mapped_column(String(200), default="")

    unit: Mapped[OrgUnit] = relationship()

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.unit]
