"""projects, questionnaires, campaigns, codes, responses

Revision ID: 0002_surveys
Revises: 0001_foundation
Create Date: 2026-11-27 18:03:51.882889

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_surveys'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('project_type', sa.Enum('elderly_canteen', 'garbage_sorting', 'home_elderly_care', 'road_works', 'greening', 'other', name='project_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'completed', 'suspended', name='project_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_project_dates_in_order')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_project_unit_id_org_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_unit_id'), ['unit_id'], unique=False)

    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('is_template', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_questionnaire_unit_id_org_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire'))
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_unit_id'), ['unit_id'], unique=False)

    op.create_table('questionnaire_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='version_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name=op.f('ck_questionnaire_version_published_has_time')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_questionnaire_version_number_positive')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_version_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_version')),
    sa.UniqueConstraint('questionnaire_id', 'number', name=op.f('uq_questionnaire_version_questionnaire_id_number'))
    )
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_version_questionnaire_id'), ['questionnaire_id'], unique=False)

    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', name='campaign_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('access_mode', sa.Enum('codes', 'open_link', 'both', name='access_mode', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('results_on', sa.Date(), nullable=True),
    sa.Column('link_token', sa.String(length=32), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('frozen_result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_campaign_closed_has_time')),
    sa.CheckConstraint("target_type <> 'project' OR project_id IS NOT NULL", name=op.f('ck_campaign_project_target_has_project')),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_campaign_dates_in_order')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_campaign_project_id_project'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_campaign_unit_id_org_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_campaign_version_id_questionnaire_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('link_token', name=op.f('uq_campaign_link_token'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_version_id'), ['version_id'], unique=False)

    op.create_table('invitation_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('spent', sa.Boolean(), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=True),
    sa.CheckConstraint('spent = (spent_on IS NOT NULL)', name=op.f('ck_invitation_code_spent_has_date')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_invitation_code_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id'], name=op.f('fk_invitation_code_grid_id_org_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_code')),
    sa.UniqueConstraint('code', name=op.f('uq_invitation_code_code'))
    )
    with op.batch_alter_table('invitation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_code_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_code_grid_id'), ['grid_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('receipt', sa.String(length=16), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('code', 'open_link', 'assisted', name='response_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('assisted', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.Column('excluded_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('duration_seconds IS NULL OR duration_seconds >= 0', name=op.f('ck_response_duration_not_negative')),
    sa.CheckConstraint('excluded = (excluded_reason IS NOT NULL)', name=op.f('ck_response_excluded_has_reason')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_response_campaign_id_campaign'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id'], name=op.f('fk_response_grid_id_org_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_response_version_id_questionnaire_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('receipt', name=op.f('uq_response_receipt')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_response_submission_id'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=32), nullable=False),
    sa.Column('value_num', sa.Float(), nullable=True),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.CheckConstraint('value_num IS NOT NULL OR value_text IS NOT NULL', name=op.f('ck_answer_has_value')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_response_id'), ['response_id'], unique=False)



def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_response_id'))

    op.drop_table('answer')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_response_grid_id'))
        batch_op.drop_index(batch_op.f('ix_response_campaign_id'))

    op.drop_table('response')
    with op.batch_alter_table('invitation_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_code_grid_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_code_campaign_id'))

    op.drop_table('invitation_code')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_version_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_unit_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_project_id'))

    op.drop_table('campaign')
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_version_questionnaire_id'))

    op.drop_table('questionnaire_version')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_unit_id'))

    op.drop_table('questionnaire')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_unit_id'))

    op.drop_table('project')
