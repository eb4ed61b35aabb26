"""E-mail confirmation: user_account.email_confirmed_at and one-time confirmation links (hashed)

Addresses given before this revision stay unconfirmed: no mail goes to them until the member
confirms them from マイアカウント.

Revision ID: e1b963d7aa18
Revises: 3c1e5a7f9d20
Create Date: 2026-12-07 13:23:03.898139

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1b963d7aa18'
down_revision = '3c1e5a7f9d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_email_confirmation_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_confirmation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_confirmation_token_hash'))
    )
    with op.batch_alter_table('email_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_confirmation_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')

    with op.batch_alter_table('email_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_confirmation_user_id'))

    op.drop_table('email_confirmation')
