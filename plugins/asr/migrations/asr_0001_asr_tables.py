"""asr tables: the ASR identification of a tenant household.

Revision ID: asr_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "asr_0001"
down_revision = None
branch_labels = ("asr",)
depends_on = "0001_core"


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "asr_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("great_precarity", sa.Boolean(), nullable=True),
        sa.Column("rent_arrears_amount", sa.Float(), nullable=True),
        sa.Column("suspected_psychological_troubles", sa.Boolean(), nullable=True),
        sa.Column("identified_on", sa.Date(), nullable=True),
        sa.Column("identified_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "identification_source",
            sa.Enum(
                "rent_recovery",
                "local_management",
                "partner",
                "other",
                name="asridentificationsource",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("identifying_organisation_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["identifying_organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("asr_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asr_profile_household_id"), ["household_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_asr_profile_identifying_organisation_id"),
            ["identifying_organisation_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_asr_profile_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("asr_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asr_profile_owner_id"))
        batch_op.drop_index(batch_op.f("ix_asr_profile_identifying_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_asr_profile_household_id"))
    op.drop_table("asr_profile")
