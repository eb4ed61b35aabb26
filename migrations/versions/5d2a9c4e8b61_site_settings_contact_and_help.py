"""Site settings: the city's contact (e-mail, telephone) and help text, set at /admin/settings

Revision ID: 5d2a9c4e8b61
Revises: c8e9b84bafc5
Create Date: 2026-12-07 14:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d2a9c4e8b61'
down_revision = 'c8e9b84bafc5'
branch_labels = None
depends_on = None


def upgrade():
    # Empty means "as configured" (TSUNAGARI_CONTACT_EMAIL, TSUNAGARI_CONTACT_PHONE): nothing changes.
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('help_text', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.drop_column('help_text')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_email')
