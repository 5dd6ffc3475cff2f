"""« Seniors à domicile »: the programme's follow-up table (contact, visit, kit, follow-up).

Revision ID: seniors_domicile_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "seniors_domicile_0001"
down_revision = None
branch_labels = ("seniors_domicile",)
depends_on = "0001_core"


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "seniors_domicile_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=True),
        sa.Column(
            "contact_channel",
            sa.Enum(
                "home_visit",
                "office_visit",
                "phone",
                "other",
                name="contactkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "contact_outcome",
            sa.Enum("accepted", "refused", "no_answer", name="contactoutcome", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("refusal_reason", sa.String(length=300), nullable=True),
        sa.Column("visit_on", sa.Date(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("risk_domestic_safety", sa.Boolean(), nullable=False),
        sa.Column("risk_falls", sa.Boolean(), nullable=False),
        sa.Column("risk_comfort_autonomy", sa.Boolean(), nullable=False),
        sa.Column("kit_installed_on", sa.Date(), nullable=True),
        sa.Column("kit_led_bulbs", sa.Integer(), nullable=False),
        sa.Column("kit_aerators", sa.Integer(), nullable=False),
        sa.Column("kit_pressure_reducers", sa.Integer(), nullable=False),
        sa.Column("carsat_offers_relayed", sa.Boolean(), nullable=False),
        sa.Column("urgent_intervention_on", sa.Date(), nullable=True),
        sa.Column("social_services_alert_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id", "household_id", name="uq_seniors_domicile_visit"),
    )
    with op.batch_alter_table("seniors_domicile_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seniors_domicile_visit_contacted_on"), ["contacted_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_seniors_domicile_visit_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_seniors_domicile_visit_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seniors_domicile_visit_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seniors_domicile_visit_visit_on"), ["visit_on"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("seniors_domicile_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seniors_domicile_visit_visit_on"))
        batch_op.drop_index(batch_op.f("ix_seniors_domicile_visit_owner_id"))
        batch_op.drop_index(batch_op.f("ix_seniors_domicile_visit_offer_id"))
        batch_op.drop_index(batch_op.f("ix_seniors_domicile_visit_household_id"))
        batch_op.drop_index(batch_op.f("ix_seniors_domicile_visit_contacted_on"))

    op.drop_table("seniors_domicile_visit")
