"""The org tree: district > street (town) > community (village) > grid."""
from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import TimestampMixin, enum_column
from survey.extensions import db
from flask_babel import lazy_gettext as _l


class OrgLevel(enum.Enum):
    district = "district"
    street = "street"
    community = "community"
    grid = "grid"
    # Government departments (city management, police, health ...) that committees "whistle" to.
    department = "department"

    @property
    def allowed_parents(self) -> tuple[OrgLevel, ...]:
        return PARENT_LEVELS[self]

    @property
    def child_levels(self) -> tuple[OrgLevel, ...]:
        return tuple(level for level in OrgLevel if self in level.allowed_parents)

    @property
    def label(self):
        return LEVEL_LABELS[self]


PARENT_LEVELS: dict[OrgLevel, tuple[OrgLevel, ...]] = {
    OrgLevel.district: (),
    OrgLevel.street: (OrgLevel.district,),
    OrgLevel.community: (OrgLevel.street,),
    OrgLevel.grid: (OrgLevel.community,),
    OrgLevel.department: (OrgLevel.district, OrgLevel.street),
}

LEVEL_LABELS = {
    OrgLevel.district: _l("District"),
    OrgLevel.street: _l("Street / town"),
    OrgLevel.community: _l("Community / village"),
    OrgLevel.grid: _l("Grid"),
    OrgLevel.department: _l("Department"),
}


class CommunityKind(enum.Enum):
    urban = "urban"
    village = "village"

    @property
    def label(self):
        return {CommunityKind.urban: _l("Urban community"), CommunityKind.village: _l("Village")}[self]


class OrgUnit(TimestampMixin, db.Model):
    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint("households IS NULL OR households >= 0", name="households_not_negative"),
        CheckConstraint("residents IS NULL OR residents >= 0", name="residents_not_negative"),
        CheckConstraint("(level = 'district') = (parent_id IS NULL)", name="only_district_is_root"),
        CheckConstraint("kind IS NULL OR level = 'community'", name="kind_only_on_community"),
        CheckConstraint(
            "level = 'grid' OR (households IS NULL AND residents IS NULL)", name="counts_only_on_grid"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[OrgLevel] = mapped_column(enum_column(OrgLevel, "org_level"))
    kind: Mapped[CommunityKind | None] = mapped_column(enum_column(CommunityKind, "community_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    # Materialised path of codes ("/D01/S01/C03/"): a subtree is one indexed prefix query.
    path: Mapped[str] = mapped_column(String(255), index=True)
    households: Mapped[int | None] = mapped_column(Integer)
    residents: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(32))

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(
        back_populates="parent", order_by="OrgUnit.code"
    )

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.level.value}>"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def lineage_paths(self) -> list[str]:
        """The paths of this unit and of every unit above it, district first."""
        parts = self.path.strip("/").split("/")
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]

    def contains(self, other: OrgUnit) -> bool:
        """True when ``other`` is this unit or lies in its subtree."""
        return other.path.startswith(self.path)

    @property
    def ancestors(self) -> list[OrgUnit]:
        chain, unit = [], self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return list(reversed(chain))

    @property
    def office_phone(self) -> str | None:
        """The nearest phone number up the tree: residents call their community office."""
        unit: OrgUnit | None = self
        while unit is not None:
            if unit.phone:
                return unit.phone
            unit = unit.parent
        return None
