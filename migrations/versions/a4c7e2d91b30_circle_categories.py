"""Circle categories administrators edit (seeded with the built-in ones)

Revision ID: a4c7e2d91b30
Revises: decc6f26a221
Create Date: 2026-12-07 14:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4c7e2d91b30'
down_revision = 'decc6f26a221'
branch_labels = None
depends_on = None

# The categories the code had until now (community/circles/categories.py BUILT_IN), with the
# catalogue's Japanese labels: existing circles keep their keys and labels.
BUILT_IN = [
    ("childcare", "子育て", "Parenting"),
    ("hobby", "趣味", "Hobbies"),
    ("sports", "スポーツ", "Sports"),
    ("learning", "学習", "Learning"),
    ("health", "健康", "Health"),
    ("local", "地域活動", "Local activities"),
    ("volunteer", "ボランティア", "Volunteering"),
    ("other", "その他", "Other"),
]


def upgrade():
    table = op.create_table('circle_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('label_en', sa.String(length=40), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_category')),
    sa.UniqueConstraint('key', name=op.f('uq_circle_category_key'))
    )
    op.bulk_insert(table, [{"key": key, "label": label, "label_en": english, "sort_order": (n + 1) * 10,
                            "active": True} for n, (key, label, english) in enumerate(BUILT_IN)])


def downgrade():
    op.drop_table('circle_category')
