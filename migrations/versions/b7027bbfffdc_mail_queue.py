"""Mail queue: messages are rows committed with what they tell about, delivered by a timer or after the response

Revision ID: b7027bbfffdc
Revises: 690521bb2192
Create Date: 2026-11-22 23:30:28.295547

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7027bbfffdc'
down_revision = '690521bb2192'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message'))
    )
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_mail_message_due', ['sent_at', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_message_due')
        batch_op.drop_index(batch_op.f('ix_mail_message_created_at'))

    op.drop_table('mail_message')
