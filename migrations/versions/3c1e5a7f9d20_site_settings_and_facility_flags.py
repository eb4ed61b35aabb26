"""Site settings (the city's name and web site) and which facilities verify identity or host kiosks

Revision ID: 3c1e5a7f9d20
Revises: b7027bbfffdc
Create Date: 2026-12-07 14:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c1e5a7f9d20'
down_revision = 'b7027bbfffdc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_name', sa.String(length=40), nullable=False),
    sa.Column('city_website', sa.String(length=500), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_settings'))
    )
    # Existing facilities keep doing both, as before the flags existed.
    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verifies_identity', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('hosts_kiosks', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.drop_column('hosts_kiosks')
        batch_op.drop_column('verifies_identity')

    op.drop_table('site_settings')
