"""HabiTED tables: the household profile (diagnosis, verbal language, transport, day activity).

Revision ID: habited_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "habited_0001"
down_revision = None
branch_labels = ("habited",)
depends_on = "0001_core"


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "habited_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column(
            "diagnosis",
            sa.Enum("autism", "pdd", "none", name="habiteddiagnosis", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("verbal_language", sa.Boolean(), nullable=True),
        sa.Column("public_transport_autonomy", sa.Boolean(), nullable=True),
        sa.Column(
            "day_activity",
            sa.Enum(
                "ordinary_employment",
                "sheltered_workshop",
                "esat",
                "day_centre",
                "none",
                name="habiteddayactivity",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("household_id", name="uq_habited_profile_household"),
    )
    with op.batch_alter_table("habited_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_habited_profile_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("habited_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_habited_profile_owner_id"))
    op.drop_table("habited_profile")
