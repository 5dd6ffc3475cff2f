"""FJT tables: the household profile.

Revision ID: fjt_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "fjt_0001"
down_revision = None
branch_labels = ("fjt",)
depends_on = "0001_core"


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "fjt_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column(
            "composition",
            sa.Enum(
                "single",
                "couple",
                "single_parent",
                name="fjtcomposition",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("activity_detail", AutoString(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("household_id", name="uq_fjt_profile_household"),
    )
    with op.batch_alter_table("fjt_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fjt_profile_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("fjt_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fjt_profile_owner_id"))
    op.drop_table("fjt_profile")
