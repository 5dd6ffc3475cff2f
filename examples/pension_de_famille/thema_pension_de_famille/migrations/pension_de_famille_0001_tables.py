"""Pension de famille tables: the household profile.

Revision ID: pension_de_famille_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "pension_de_famille_0001"
down_revision = None
# The branch is named after the scheme code; it needs the core tables it references.
branch_labels = ("pension_de_famille",)
depends_on = "0001_core"


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "pension_de_famille_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("precarity", sa.Boolean(), nullable=True),
        sa.Column("social_isolation", sa.Boolean(), nullable=True),
        sa.Column("temporary_shelter_history", sa.Boolean(), nullable=True),
        sa.Column("domestic_violence_victim", sa.Boolean(), nullable=True),
        sa.Column("family_breakdown", sa.Boolean(), nullable=True),
        sa.Column("support_notes", AutoString(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("household_id", name="uq_pension_de_famille_profile_household"),
    )
    with op.batch_alter_table("pension_de_famille_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pension_de_famille_profile_owner_id"),
            ["owner_id"],
            unique=False,
        )


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("pension_de_famille_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pension_de_famille_profile_owner_id"))
    op.drop_table("pension_de_famille_profile")
