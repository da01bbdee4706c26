"""departments as org units, the department liaison role

Revision ID: 0003_departments
Revises: 0002_surveys
Create Date: 2026-11-27

Both enums are stored as strings with a named CHECK constraint listing their values, so adding a
value means replacing that constraint (batch mode rebuilds the table on SQLite).
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_departments'
down_revision = '0002_surveys'
branch_labels = None
depends_on = None

LEVELS_BEFORE = ("district", "street", "community", "grid")
LEVELS_AFTER = LEVELS_BEFORE + ("department",)
ROLES_BEFORE = ("district_admin", "street_admin", "committee_member", "grid_worker", "auditor")
ROLES_AFTER = ROLES_BEFORE + ("department_liaison",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace(table: str, name: str, column: str, values: tuple[str, ...], before: tuple[str, ...]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        batch_op.alter_column(
            column,
            type_=sa.String(max(map(len, values))),
            existing_type=sa.String(max(map(len, before))),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(name, _in(column, values))


def upgrade():
    _replace("org_unit", "org_level", "level", LEVELS_AFTER, LEVELS_BEFORE)
    _replace("role_assignment", "role", "role", ROLES_AFTER, ROLES_BEFORE)


def downgrade():
    _replace("role_assignment", "role", "role", ROLES_BEFORE, ROLES_AFTER)
    _replace("org_unit", "org_level", "level", LEVELS_BEFORE, LEVELS_AFTER)
