"""annual appraisal, campaigns targeted at reporting members

Revision ID: 0006_appraisal
Revises: 0005_deliberations_opinions
Create Date: 2026-11-27 18:53:54.345735

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_appraisal'
down_revision = '0005_deliberations_opinions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appraisal_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post_level', sa.Enum('chief', 'deputy', 'staff', name='post_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('draft', 'proposed', 'notice', 'published', name='cycle_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('config_version', sa.String(length=64), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=True),
    sa.Column('notice_starts_on', sa.Date(), nullable=True),
    sa.Column('notice_ends_on', sa.Date(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name=op.f('ck_appraisal_cycle_published_has_time')),
    sa.CheckConstraint("status = 'draft' OR proposed_at IS NOT NULL", name=op.f('ck_appraisal_cycle_proposed_has_time')),
    sa.CheckConstraint("status NOT IN ('notice', 'published') OR (notice_starts_on IS NOT NULL AND notice_ends_on IS NOT NULL)", name=op.f('ck_appraisal_cycle_notice_has_period')),
    sa.CheckConstraint('notice_ends_on IS NULL OR notice_ends_on >= notice_starts_on', name=op.f('ck_appraisal_cycle_notice_in_order')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_appraisal_cycle_year_in_range')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_appraisal_cycle_unit_id_org_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_cycle')),
    sa.UniqueConstraint('year', 'unit_id', 'post_level', name=op.f('uq_appraisal_cycle_year_unit_id_post_level'))
    )
    with op.batch_alter_table('appraisal_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appraisal_cycle_unit_id'), ['unit_id'], unique=False)

    op.create_table('reporting_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('home_unit_id', sa.Integer(), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('posts_claimed', sa.Text(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['home_unit_id'], ['org_unit.id'], name=op.f('fk_reporting_member_home_unit_id_org_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_member'))
    )
    with op.batch_alter_table('reporting_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_member_home_unit_id'), ['home_unit_id'], unique=False)

    op.create_table('cadre',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=120), nullable=False),
    sa.Column('post_level', sa.Enum('chief', 'deputy', 'staff', name='post_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('bar_kind', sa.Enum('sanction', 'probation', 'other', name='bar_kind', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('bar_reason', sa.String(length=300), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("bar_kind IS NULL OR bar_reason <> ''", name=op.f('ck_cadre_bar_has_reason')),
    sa.ForeignKeyConstraint(['member_id'], ['reporting_member.id'], name=op.f('fk_cadre_member_id_reporting_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_cadre_unit_id_org_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre'))
    )
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cadre_unit_id'), ['unit_id'], unique=False)

    op.create_table('member_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('half', sa.Integer(), nullable=False),
    sa.Column('assessment', sa.String(length=8), nullable=True),
    sa.Column('reported', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("assessment IS NULL OR assessment IN ('好', '较好', '一般', '差')", name=op.f('ck_member_assessment_known_assessment')),
    sa.CheckConstraint('half IN (1, 2)', name=op.f('ck_member_assessment_half_is_1_or_2')),
    sa.ForeignKeyConstraint(['member_id'], ['reporting_member.id'], name=op.f('fk_member_assessment_member_id_reporting_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_assessment')),
    sa.UniqueConstraint('member_id', 'year', 'half', name=op.f('uq_member_assessment_member_id_year_half'))
    )
    with op.batch_alter_table('member_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_assessment_member_id'), ['member_id'], unique=False)

    op.create_table('service_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('activity', sa.String(length=300), nullable=False),
    sa.Column('checkin', sa.Boolean(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(confirmed_by_id IS NULL) = (confirmed_at IS NULL)', name=op.f('ck_service_record_confirmed_has_time')),
    sa.CheckConstraint('hours > 0 AND hours <= 24', name=op.f('ck_service_record_hours_in_range')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_service_record_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['reporting_member.id'], name=op.f('fk_service_record_member_id_reporting_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_record'))
    )
    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_record_member_id'), ['member_id'], unique=False)

    op.create_table('appraisal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('regular_level', sa.String(length=8), nullable=True),
    sa.Column('target_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('bonus', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('deduction', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('barred', sa.Boolean(), nullable=False),
    sa.Column('d_score', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('j_score', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('k_score', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('s_score', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('m_score', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('composite', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('proposed_grade', sa.String(length=16), nullable=True),
    sa.Column('flags', sa.String(length=200), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('config_version', sa.String(length=64), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=True),
    sa.Column('final_grade', sa.String(length=16), nullable=True),
    sa.Column('final_reason', sa.Text(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'ok') = (composite IS NOT NULL)", name=op.f('ck_appraisal_ok_has_composite')),
    sa.CheckConstraint("final_grade IS NULL OR final_grade = proposed_grade OR final_reason <> ''", name=op.f('ck_appraisal_differing_grade_has_reason')),
    sa.CheckConstraint("final_grade IS NULL OR final_grade IN ('excellent', 'competent', 'basic', 'incompetent')", name=op.f('ck_appraisal_known_final_grade')),
    sa.CheckConstraint("proposed_grade IS NULL OR proposed_grade IN ('excellent', 'competent', 'basic', 'incompetent')", name=op.f('ck_appraisal_known_proposed_grade')),
    sa.CheckConstraint("regular_level IS NULL OR regular_level IN ('好', '较好', '一般', '较差')", name=op.f('ck_appraisal_known_level')),
    sa.CheckConstraint("status IS NULL OR status IN ('ok', 'incomplete')", name=op.f('ck_appraisal_known_status')),
    sa.CheckConstraint('(final_grade IS NULL) = (confirmed_at IS NULL)', name=op.f('ck_appraisal_confirmed_has_time')),
    sa.CheckConstraint('bonus >= 0 AND deduction >= 0', name=op.f('ck_appraisal_adjustments_not_negative')),
    sa.CheckConstraint('target_score IS NULL OR (target_score >= 0 AND target_score <= 100)', name=op.f('ck_appraisal_k_in_range')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_appraisal_cadre_id_cadre'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_appraisal_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['appraisal_cycle.id'], name=op.f('fk_appraisal_cycle_id_appraisal_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal')),
    sa.UniqueConstraint('cycle_id', 'cadre_id', name=op.f('uq_appraisal_cycle_id_cadre_id'))
    )
    with op.batch_alter_table('appraisal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appraisal_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appraisal_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('ballot_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('excellent', sa.Integer(), nullable=False),
    sa.Column('competent', sa.Integer(), nullable=False),
    sa.Column('basic', sa.Integer(), nullable=False),
    sa.Column('incompetent', sa.Integer(), nullable=False),
    sa.Column('void', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source IN ('tally', 'paper')", name=op.f('ck_ballot_tally_known_source')),
    sa.CheckConstraint('excellent >= 0 AND competent >= 0 AND basic >= 0 AND incompetent >= 0 AND void >= 0', name=op.f('ck_ballot_tally_counts_not_negative')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_ballot_tally_cadre_id_cadre'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cycle_id'], ['appraisal_cycle.id'], name=op.f('fk_ballot_tally_cycle_id_appraisal_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_tally')),
    sa.UniqueConstraint('cycle_id', 'cadre_id', name=op.f('uq_ballot_tally_cycle_id_cadre_id'))
    )
    with op.batch_alter_table('ballot_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_tally_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballot_tally_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('cadre_project',
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_cadre_project_cadre_id_cadre'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_cadre_project_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cadre_id', 'project_id', name=op.f('pk_cadre_project'))
    )
    op.create_table('paper_ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('marks', sa.String(length=64), nullable=False),
    sa.Column('choice', sa.String(length=16), nullable=True),
    sa.Column('void_reason', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("choice IS NULL OR choice IN ('excellent', 'competent', 'basic', 'incompetent')", name=op.f('ck_paper_ballot_known_choice')),
    sa.CheckConstraint('(choice IS NULL) = (void_reason IS NOT NULL)', name=op.f('ck_paper_ballot_void_has_reason')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_paper_ballot_cadre_id_cadre'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cycle_id'], ['appraisal_cycle.id'], name=op.f('fk_paper_ballot_cycle_id_appraisal_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_ballot')),
    sa.UniqueConstraint('cycle_id', 'cadre_id', 'serial', name=op.f('uq_paper_ballot_cycle_id_cadre_id_serial'))
    )
    with op.batch_alter_table('paper_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_ballot_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paper_ballot_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('appraisal_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('appraisal_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'dismissed')", name=op.f('ck_appraisal_objection_known_outcome')),
    sa.CheckConstraint('(answer IS NULL) = (answered_at IS NULL)', name=op.f('ck_appraisal_objection_answer_has_time')),
    sa.CheckConstraint('(outcome IS NULL) = (answer IS NULL)', name=op.f('ck_appraisal_objection_answer_has_outcome')),
    sa.ForeignKeyConstraint(['appraisal_id'], ['appraisal.id'], name=op.f('fk_appraisal_objection_appraisal_id_appraisal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_id'], ['appraisal_cycle.id'], name=op.f('fk_appraisal_objection_cycle_id_appraisal_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_objection'))
    )
    with op.batch_alter_table('appraisal_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appraisal_objection_appraisal_id'), ['appraisal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appraisal_objection_cycle_id'), ['cycle_id'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_member_id'), ['member_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_campaign_member_id_reporting_member'), 'reporting_member', ['member_id'], ['id'], ondelete='RESTRICT')
        # Not found by autogenerate: a campaign now rates a project or a reporting party member.
        batch_op.create_check_constraint('member_target_has_member', "target_type <> 'member' OR member_id IS NOT NULL")
        batch_op.create_check_constraint('known_target_type', "target_type IN ('project', 'member')")


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaign_known_target_type'), type_='check')
        batch_op.drop_constraint(op.f('ck_campaign_member_target_has_member'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_campaign_member_id_reporting_member'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_campaign_member_id'))
        batch_op.drop_column('member_id')

    with op.batch_alter_table('appraisal_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appraisal_objection_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_appraisal_objection_appraisal_id'))

    op.drop_table('appraisal_objection')
    with op.batch_alter_table('paper_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_ballot_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_paper_ballot_cadre_id'))

    op.drop_table('paper_ballot')
    op.drop_table('cadre_project')
    with op.batch_alter_table('ballot_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_tally_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_ballot_tally_cadre_id'))

    op.drop_table('ballot_tally')
    with op.batch_alter_table('appraisal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appraisal_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_appraisal_cadre_id'))

    op.drop_table('appraisal')
    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_record_member_id'))

    op.drop_table('service_record')
    with op.batch_alter_table('member_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_assessment_member_id'))

    op.drop_table('member_assessment')
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cadre_unit_id'))

    op.drop_table('cadre')
    with op.batch_alter_table('reporting_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporting_member_home_unit_id'))

    op.drop_table('reporting_member')
    with op.batch_alter_table('appraisal_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appraisal_cycle_unit_id'))

    op.drop_table('appraisal_cycle')
