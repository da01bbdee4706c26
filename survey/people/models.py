"""Users and their roles, each role assigned on an org unit and valid on its subtree."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey.core.db import TimestampMixin, enum_column
from survey.extensions import db
from survey.orgs.models import OrgLevel, OrgUnit


class Role(enum.Enum):
    district_admin = "district_admin"
    street_admin = "street_admin"
    committee_member = "committee_member"
    grid_worker = "grid_worker"
    auditor = "auditor"
    department_liaison = "department_liaison"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def levels(self) -> tuple[OrgLevel, ...]:
        """The org levels a role may be assigned on."""
        return ROLE_LEVELS[self]


ROLE_LABELS = {
    Role.district_admin: _l("District administrator"),
    Role.street_admin: _l("Street administrator"),
    Role.committee_member: _l("Community committee member"),
    Role.grid_worker: _l("Grid worker"),
    Role.auditor: _l("Auditor (read-only)"),
    Role.department_liaison: _l("Department liaison"),
}

ROLE_LEVELS = {
    Role.district_admin: (OrgLevel.district,),
    Role.street_admin: (OrgLevel.street,),
    Role.committee_member: (OrgLevel.community,),
    Role.grid_worker: (OrgLevel.community, OrgLevel.grid),
    Role.auditor: (OrgLevel.district, OrgLevel.street, OrgLevel.community),
    Role.department_liaison: (OrgLevel.department,),
}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped on password change so that other sessions of the account end.
    session_version: Mapped[int] = mapped_column(default=1)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.id"
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if current_app else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def permission_units(self) -> list[OrgUnit]:
        """The units whose managers may manage this account: those of all its roles."""
        return [a.unit for a in self.roles]

    @property
    def scope_units(self) -> list[OrgUnit]:
        """The top units of the user's scope, without units nested in another one."""
        units = {a.unit.id: a.unit for a in self.roles}.values()
        return sorted(
            (u for u in units if not any(o is not u and o.contains(u) for o in units)),
            key=lambda u: u.path,
        )


class RoleAssignment(TimestampMixin, db.Model):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[OrgUnit] = relationship()

