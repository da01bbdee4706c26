"""five deliberations, opinion box and whistles

Revision ID: 0005_deliberations_opinions
Revises: 0004_scale_answers
Create Date: 2026-11-27 18:36:33.262389

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_deliberations_opinions'
down_revision = '0004_scale_answers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deliberation_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('review_days', sa.Integer(), nullable=False),
    sa.Column('min_signatures', sa.Integer(), nullable=False),
    sa.Column('quorum_rules', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('min_signatures >= 1', name=op.f('ck_deliberation_settings_min_signatures_positive')),
    sa.CheckConstraint('review_days >= 7', name=op.f('ck_deliberation_settings_review_days_at_least_default')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_deliberation_settings_unit_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_settings')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_deliberation_settings_unit_id'))
    )
    op.create_table('matter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('stage', sa.Enum('proposal', 'motion', 'consultation', 'public_review', 'evaluation', 'closed', 'rejected', 'withdrawn', name='matter_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('stage_since', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(stage IN ('rejected', 'withdrawn')) = (end_reason IS NOT NULL)", name=op.f('ck_matter_ending_has_reason')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_matter_unit_id_org_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter'))
    )
    with op.batch_alter_table('matter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_matter_unit_id'), ['unit_id'], unique=False)

    op.create_table('matter_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('proposal', 'motion', 'consultation', 'public_review', 'evaluation', 'closed', 'rejected', 'withdrawn', name='attachment_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kind', sa.Enum('sign_in_sheet', 'minutes', 'other', name='attachment_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=120), nullable=False),
    sa.CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name=op.f('ck_matter_attachment_allowed_type')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_matter_attachment_size_positive')),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_attachment_matter_id_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_matter_attachment_stored_name'))
    )
    with op.batch_alter_table('matter_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_attachment_matter_id'), ['matter_id'], unique=False)

    op.create_table('matter_consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Enum('residents_meeting', 'residents_representatives', 'villagers_meeting', 'villagers_representatives', name='deciding_body', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('eligible_persons', sa.Integer(), nullable=False),
    sa.Column('present_persons', sa.Integer(), nullable=False),
    sa.Column('eligible_households', sa.Integer(), nullable=True),
    sa.Column('present_households', sa.Integer(), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('votes_abstain', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(eligible_households IS NULL) = (present_households IS NULL)', name=op.f('ck_matter_consultation_households_both_or_neither')),
    sa.CheckConstraint('eligible_households IS NULL OR (eligible_households >= 1 AND present_households >= 0 AND present_households <= eligible_households)', name=op.f('ck_matter_consultation_households_within_eligible')),
    sa.CheckConstraint('eligible_persons >= 1', name=op.f('ck_matter_consultation_eligible_positive')),
    sa.CheckConstraint('present_persons >= 0 AND present_persons <= eligible_persons', name=op.f('ck_matter_consultation_present_within_eligible')),
    sa.CheckConstraint('votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0 AND votes_for + votes_against + votes_abstain <= present_persons', name=op.f('ck_matter_consultation_votes_within_present')),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_consultation_matter_id_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_consultation'))
    )
    with op.batch_alter_table('matter_consultation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_consultation_matter_id'), ['matter_id'], unique=False)

    op.create_table('matter_motion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('proceed', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_motion_matter_id_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_motion'))
    )
    with op.batch_alter_table('matter_motion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_motion_matter_id'), ['matter_id'], unique=False)

    op.create_table('matter_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.Enum('resident_opinion', 'grid', 'party_organisation', 'joint_signatures', name='proposal_source_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source_detail', sa.Text(), nullable=False),
    sa.Column('source_reference', sa.String(length=64), nullable=True),
    sa.Column('signatures', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source_kind <> 'joint_signatures' OR signatures IS NOT NULL", name=op.f('ck_matter_proposal_joint_has_signatures')),
    sa.CheckConstraint('signatures IS NULL OR signatures >= 1', name=op.f('ck_matter_proposal_signatures_positive')),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_proposal_matter_id_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_proposal'))
    )
    with op.batch_alter_table('matter_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_proposal_matter_id'), ['matter_id'], unique=False)

    op.create_table('matter_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on > starts_on', name=op.f('ck_matter_review_ends_after_start')),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_review_matter_id_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_review'))
    )
    with op.batch_alter_table('matter_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_review_matter_id'), ['matter_id'], unique=False)

    op.create_table('matter_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.Enum('proposal', 'motion', 'consultation', 'public_review', 'evaluation', 'closed', 'rejected', 'withdrawn', name='transition_from_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('to_stage', sa.Enum('proposal', 'motion', 'consultation', 'public_review', 'evaluation', 'closed', 'rejected', 'withdrawn', name='transition_to_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kind', sa.Enum('forward', 'back', 'reject', 'withdraw', name='transition_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind = 'forward' OR reason IS NOT NULL", name=op.f('ck_matter_transition_non_forward_has_reason')),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_transition_matter_id_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_transition'))
    )
    with op.batch_alter_table('matter_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_transition_matter_id'), ['matter_id'], unique=False)

    op.create_table('opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_code', sa.String(length=10), nullable=False),
    sa.Column('submission_id', sa.String(length=32), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.Enum('environment', 'facilities', 'safety', 'traffic', 'estate', 'neighbours', 'services', 'other', name='opinion_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.Enum('resident', 'grid_worker', name='opinion_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=60), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('photo_file', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'assigned', 'answered', 'closed', name='opinion_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.Column('matter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_opinion_closed_has_time')),
    sa.CheckConstraint("(status = 'closed') = (due_at IS NULL)", name=op.f('ck_opinion_open_has_deadline')),
    sa.CheckConstraint("rating IS NULL OR status IN ('answered', 'closed')", name=op.f('ck_opinion_rating_after_answer')),
    sa.CheckConstraint("source <> 'grid_worker' OR logged_by_id IS NOT NULL", name=op.f('ck_opinion_logged_has_worker')),
    sa.CheckConstraint("status <> 'assigned' OR assigned_to_id IS NOT NULL", name=op.f('ck_opinion_assigned_has_assignee')),
    sa.CheckConstraint("status = 'submitted' OR accepted_at IS NOT NULL OR status = 'closed'", name=op.f('ck_opinion_accepted_has_time')),
    sa.CheckConstraint("status NOT IN ('answered') OR (answer IS NOT NULL AND answered_at IS NOT NULL)", name=op.f('ck_opinion_answered_has_answer')),
    sa.CheckConstraint('length(tracking_code) = 10', name=op.f('ck_opinion_tracking_code_length')),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_opinion_rating_range')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'], name=op.f('fk_opinion_accepted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_opinion_answered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user_account.id'], name=op.f('fk_opinion_assigned_to_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['org_unit.id'], name=op.f('fk_opinion_community_id_org_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id'], name=op.f('fk_opinion_grid_id_org_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['logged_by_id'], ['user_account.id'], name=op.f('fk_opinion_logged_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_opinion_matter_id_matter'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_opinion_submission_id')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_opinion_tracking_code'))
    )
    with op.batch_alter_table('opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_matter_id'), ['matter_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_opinion_status'), ['status'], unique=False)

    op.create_table('matter_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=True),
    sa.Column('contact', sa.String(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by', sa.String(length=120), nullable=True),
    sa.CheckConstraint('(answer IS NULL) = (answered_at IS NULL)', name=op.f('ck_matter_objection_answer_has_time')),
    sa.ForeignKeyConstraint(['review_id'], ['matter_review.id'], name=op.f('fk_matter_objection_review_id_matter_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_objection'))
    )
    with op.batch_alter_table('matter_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_objection_review_id'), ['review_id'], unique=False)

    op.create_table('whistle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('sent', 'acknowledged', 'in_progress', 'answered', 'withdrawn', name='whistle_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('progress', sa.Text(), nullable=True),
    sa.Column('progress_at', sa.DateTime(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'answered') = (answered_at IS NOT NULL AND answer IS NOT NULL)", name=op.f('ck_whistle_answered_has_answer')),
    sa.CheckConstraint("(status = 'withdrawn') = (withdrawn_at IS NOT NULL)", name=op.f('ck_whistle_withdrawn_has_time')),
    sa.CheckConstraint("status = 'sent' OR acknowledged_at IS NOT NULL OR status = 'withdrawn'", name=op.f('ck_whistle_acknowledged_has_time')),
    sa.CheckConstraint('due_at > sent_at', name=op.f('ck_whistle_deadline_after_sending')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user_account.id'], name=op.f('fk_whistle_acknowledged_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_whistle_answered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name=op.f('fk_whistle_department_id_org_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinion.id'], name=op.f('fk_whistle_opinion_id_opinion'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_whistle_sent_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whistle'))
    )
    with op.batch_alter_table('whistle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whistle_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_whistle_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_whistle_opinion_id'), ['opinion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_whistle_status'), ['status'], unique=False)

    op.create_table('matter_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_matter_evaluation_campaign_id_campaign'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], name=op.f('fk_matter_evaluation_matter_id_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_evaluation'))
    )
    with op.batch_alter_table('matter_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_evaluation_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matter_evaluation_matter_id'), ['matter_id'], unique=False)



def downgrade():
    with op.batch_alter_table('matter_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_evaluation_matter_id'))
        batch_op.drop_index(batch_op.f('ix_matter_evaluation_campaign_id'))

    op.drop_table('matter_evaluation')
    with op.batch_alter_table('whistle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whistle_status'))
        batch_op.drop_index(batch_op.f('ix_whistle_opinion_id'))
        batch_op.drop_index(batch_op.f('ix_whistle_due_at'))
        batch_op.drop_index(batch_op.f('ix_whistle_department_id'))

    op.drop_table('whistle')
    with op.batch_alter_table('matter_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_objection_review_id'))

    op.drop_table('matter_objection')
    with op.batch_alter_table('opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_status'))
        batch_op.drop_index(batch_op.f('ix_opinion_matter_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_grid_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_due_at'))
        batch_op.drop_index(batch_op.f('ix_opinion_community_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_assigned_to_id'))

    op.drop_table('opinion')
    with op.batch_alter_table('matter_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_transition_matter_id'))

    op.drop_table('matter_transition')
    with op.batch_alter_table('matter_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_review_matter_id'))

    op.drop_table('matter_review')
    with op.batch_alter_table('matter_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_proposal_matter_id'))

    op.drop_table('matter_proposal')
    with op.batch_alter_table('matter_motion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_motion_matter_id'))

    op.drop_table('matter_motion')
    with op.batch_alter_table('matter_consultation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_consultation_matter_id'))

    op.drop_table('matter_consultation')
    with op.batch_alter_table('matter_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_attachment_matter_id'))

    op.drop_table('matter_attachment')
    with op.batch_alter_table('matter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_unit_id'))
        batch_op.drop_index(batch_op.f('ix_matter_stage'))

    op.drop_table('matter')
    op.drop_table('deliberation_settings')
