"""responses keep their scale answers in one column; answers indexed by question

Revision ID: 0004_scale_answers
Revises: 0003_departments
Create Date: 2026-11-27

Existing responses get the column filled from their answer rows, so results stay complete.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_scale_answers'
down_revision = '0003_departments'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scale_answers', sa.String(length=64), nullable=True))
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index('ix_answer_question_key_response_id', ['question_key', 'response_id'], unique=False)
    _backfill()


def _backfill():
    import json

    conn = op.get_bind()
    versions = {
        vid: [q["key"] for q in (json.loads(qs) if isinstance(qs, str) else qs) if q.get("type") == "likert"]
        for vid, qs in conn.execute(sa.text("SELECT id, questions FROM questionnaire_version"))
    }
    answers: dict[int, dict[str, float]] = {}
    for rid, key, value in conn.execute(
        sa.text("SELECT response_id, question_key, value_num FROM answer WHERE value_num IS NOT NULL")
    ):
        answers.setdefault(rid, {})[key] = value
    for rid, vid in conn.execute(sa.text("SELECT id, version_id FROM response")).all():
        given = answers.get(rid, {})
        digits = "".join(str(int(given.get(key, 0))) for key in versions.get(vid, []))
        conn.execute(sa.text("UPDATE response SET scale_answers = :d WHERE id = :id"), {"d": digits, "id": rid})


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_question_key_response_id')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('scale_answers')
