"""one open whistle per opinion (partial unique index), whistles escalated to the street

Revision ID: 0007_whistle_open_escalation
Revises: 0006_appraisal
Create Date: 2026-11-27 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_whistle_open_escalation'
down_revision = '0006_appraisal'
branch_labels = None
depends_on = None

# Must match survey.opinions.models.OPEN_WHISTLE_SQL (WhistleStatus.is_open).
OPEN_WHISTLE_SQL = "status IN ('sent', 'acknowledged', 'in_progress')"


def upgrade():
    # Until now only the application kept to one open whistle per opinion; a race may have let a
    # second one in. Say which, rather than fail on the index with the database's own message.
    doubled = op.get_bind().execute(sa.text(
        f"SELECT opinion_id FROM whistle WHERE {OPEN_WHISTLE_SQL} GROUP BY opinion_id HAVING count(*) > 1"
    )).scalars().all()
    if doubled:
        raise RuntimeError(
            "Opinions with more than one open whistle (withdraw all but one, then upgrade again): "
            + ", ".join(str(opinion_id) for opinion_id in doubled)
        )
    with op.batch_alter_table('whistle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_whistle_one_open_per_opinion'), ['opinion_id'], unique=True,
                              sqlite_where=sa.text(OPEN_WHISTLE_SQL), postgresql_where=sa.text(OPEN_WHISTLE_SQL))


def downgrade():
    with op.batch_alter_table('whistle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whistle_one_open_per_opinion'))
        batch_op.drop_column('escalated_at')
