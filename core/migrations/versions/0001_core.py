"""Core graph: organisations, partnerships, sites, units, offers, households and their life.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    """Apply."""

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "landlord",
                "association",
                "institution",
                name="organisationkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("siren", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("mutation", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("object_type", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "mutation", "key", name="uq_idempotency"),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_record_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "manages_offer",
                "provides_support",
                "refers",
                "funds",
                name="partnershiprole",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "scope",
            sa.Enum("all", "sites", "offers", name="partnershipscope", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("site_ids", sa.JSON(), nullable=False),
        sa.Column("offer_ids", sa.JSON(), nullable=False),
        sa.Column("grants_resident_files", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnership_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partnership_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "scheme_enablement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("enabled_on", sa.Date(), nullable=False),
        sa.Column("disabled_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "scheme", name="uq_enablement"),
    )
    with op.batch_alter_table("scheme_enablement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheme_enablement_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scheme_enablement_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("commune", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("in_priority_district", sa.Boolean(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("landlord_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["landlord_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_landlord_id"), ["landlord_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_scheme"), ["scheme"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_site_id"), ["site_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "reference",
                "spouse",
                "child",
                "other",
                name="memberrole",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column(
            "activity",
            sa.Enum(
                "employed",
                "training",
                "apprenticeship",
                "internship",
                "job_seeking",
                "student",
                "retired",
                "inactive",
                name="activity",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("monthly_resources", sa.Float(), nullable=True),
        sa.Column("isolated", sa.Boolean(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("national_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column(
            "typology",
            sa.Enum(
                "room",
                "t1",
                "t1_bis",
                "t2",
                "t3",
                "t4",
                "t5_plus",
                name="typology",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("surface_m2", sa.Float(), nullable=True),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("furnished", sa.Boolean(), nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("common", sa.Boolean(), nullable=False),
        sa.Column("monthly_rent", sa.Float(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "national_id", name="uq_unit_national_id"),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_site_id"), ["site_id"], unique=False)

    op.create_table(
        "occupancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("exit_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "exit_destination",
            sa.Enum(
                "social_rental",
                "private_rental",
                "home_ownership",
                "supported_housing",
                "family_or_friends",
                "shelter",
                "care_institution",
                "street",
                "deceased",
                "other",
                "unknown",
                name="exitdestination",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
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
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("occupancy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_occupancy_household_id"), ["household_id"], unique=False)
        batch_op.create_index(
            "ix_occupancy_offer_dates", ["offer_id", "start_date", "end_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_occupancy_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_occupancy_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_occupancy_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "offer_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id", "unit_id", name="uq_offer_unit"),
    )
    with op.batch_alter_table("offer_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_unit_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_unit_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_unit_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "pending",
                "admitted",
                "refused",
                "withdrawn",
                name="referraldecision",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["proposer_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_proposer_id"), ["proposer_id"], unique=False)

    op.create_table(
        "support_episode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
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
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("support_episode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_episode_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_episode_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_support_episode_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_episode_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "support_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("contact_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
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
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["support_episode.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("support_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_contact_contact_on"), ["contact_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_contact_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_contact_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    """Revert."""

    with op.batch_alter_table("support_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_contact_owner_id"))
        batch_op.drop_index(batch_op.f("ix_support_contact_episode_id"))
        batch_op.drop_index(batch_op.f("ix_support_contact_contact_on"))

    op.drop_table("support_contact")
    with op.batch_alter_table("support_episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_episode_owner_id"))
        batch_op.drop_index(batch_op.f("ix_support_episode_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_support_episode_offer_id"))
        batch_op.drop_index(batch_op.f("ix_support_episode_household_id"))

    op.drop_table("support_episode")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_proposer_id"))
        batch_op.drop_index(batch_op.f("ix_referral_owner_id"))
        batch_op.drop_index(batch_op.f("ix_referral_offer_id"))
        batch_op.drop_index(batch_op.f("ix_referral_household_id"))

    op.drop_table("referral")
    with op.batch_alter_table("offer_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_unit_unit_id"))
        batch_op.drop_index(batch_op.f("ix_offer_unit_owner_id"))
        batch_op.drop_index(batch_op.f("ix_offer_unit_offer_id"))

    op.drop_table("offer_unit")
    with op.batch_alter_table("occupancy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_occupancy_unit_id"))
        batch_op.drop_index(batch_op.f("ix_occupancy_owner_id"))
        batch_op.drop_index(batch_op.f("ix_occupancy_offer_id"))
        batch_op.drop_index("ix_occupancy_offer_dates")
        batch_op.drop_index(batch_op.f("ix_occupancy_household_id"))

    op.drop_table("occupancy")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_site_id"))
        batch_op.drop_index(batch_op.f("ix_unit_owner_id"))

    op.drop_table("unit")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_owner_id"))
        batch_op.drop_index(batch_op.f("ix_person_household_id"))

    op.drop_table("person")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_site_id"))
        batch_op.drop_index(batch_op.f("ix_offer_scheme"))
        batch_op.drop_index(batch_op.f("ix_offer_owner_id"))
        batch_op.drop_index(batch_op.f("ix_offer_manager_id"))
        batch_op.drop_index(batch_op.f("ix_offer_landlord_id"))

    op.drop_table("offer")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_owner_id"))

    op.drop_table("site")
    with op.batch_alter_table("scheme_enablement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheme_enablement_owner_id"))
        batch_op.drop_index(batch_op.f("ix_scheme_enablement_organisation_id"))

    op.drop_table("scheme_enablement")
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partnership_owner_id"))

    op.drop_table("partnership")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_owner_id"))

    op.drop_table("idempotency_record")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_owner_id"))

    op.drop_table("household")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_owner_id"))

    op.drop_table("organisation")
