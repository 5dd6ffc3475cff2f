"""chrs tables: the CHRS profile of a household.

Revision ID: chrs_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "chrs_0001"
down_revision = None
branch_labels = ("chrs",)
depends_on = "0001_core"


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "chrs_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("economic_difficulty", sa.Boolean(), nullable=True),
        sa.Column("family_difficulty", sa.Boolean(), nullable=True),
        sa.Column("health_difficulty", sa.Boolean(), nullable=True),
        sa.Column("insertion_difficulty", sa.Boolean(), nullable=True),
        sa.Column("needs_support_before_housing", sa.Boolean(), nullable=True),
        sa.Column("domestic_violence_victim", sa.Boolean(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chrs_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chrs_profile_household_id"), ["household_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_chrs_profile_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("chrs_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chrs_profile_owner_id"))
        batch_op.drop_index(batch_op.f("ix_chrs_profile_household_id"))
    op.drop_table("chrs_profile")
