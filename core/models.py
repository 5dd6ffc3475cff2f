"""The core graph as SQLModel tables: organisations, sites, units, offers, households and their life.

Every table carries ``owner_id``, the organisation that owns the row (the tenant key, see DESIGN.md),
indexed; access control, row-level security and a future scale-out by owner all rely on it.
Sensitive facts (health, violence) are never core columns: the plugin that needs them owns them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel


class OrganisationKind(enum.StrEnum):
    """What an organisation is."""

    LANDLORD = "landlord"
    ASSOCIATION = "association"
    INSTITUTION = "institution"


class PartnershipRole(enum.StrEnum):
    """What a partner does for the organisation that grants the partnership."""

    MANAGES_OFFER = "manages_offer"
    PROVIDES_SUPPORT = "provides_support"
    REFERS = "refers"
    FUNDS = "funds"


class Typology(enum.StrEnum):
    """Typology of a unit (French convention: number of main rooms)."""

    ROOM = "room"
    T1 = "t1"
    T1_BIS = "t1_bis"
    T2 = "t2"
    T3 = "t3"
    T4 = "t4"
    T5_PLUS = "t5_plus"


class MemberRole(enum.StrEnum):
    """Place of a person in the household."""

    REFERENCE = "reference"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


class Activity(enum.StrEnum):
    """Activity situation of a person."""

    EMPLOYED = "employed"
    TRAINING = "training"
    APPRENTICESHIP = "apprenticeship"
    INTERNSHIP = "internship"
    JOB_SEEKING = "job_seeking"
    STUDENT = "student"
    RETIRED = "retired"
    INACTIVE = "inactive"


class ExitDestination(enum.StrEnum):
    """Where a household went when an occupancy ended."""

    SOCIAL_RENTAL = "social_rental"
    PRIVATE_RENTAL = "private_rental"
    HOME_OWNERSHIP = "home_ownership"
    SUPPORTED_HOUSING = "supported_housing"
    FAMILY_OR_FRIENDS = "family_or_friends"
    SHELTER = "shelter"
    CARE_INSTITUTION = "care_institution"
    STREET = "street"
    DECEASED = "deceased"
    OTHER = "other"
    UNKNOWN = "unknown"


#: Destinations that count as ordinary housing (logement de droit commun).
ORDINARY_HOUSING = frozenset(
    {ExitDestination.SOCIAL_RENTAL, ExitDestination.PRIVATE_RENTAL, ExitDestination.HOME_OWNERSHIP}
)


class ReferralDecision(enum.StrEnum):
    """State of a referral (orientation / application)."""

    PENDING = "pending"
    ADMITTED = "admitted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ContactKind(enum.StrEnum):
    """How a support contact happened."""

    HOME_VISIT = "home_visit"
    OFFICE_VISIT = "office_visit"
    PHONE = "phone"
    OTHER = "other"


class PartnershipScope(enum.StrEnum):
    """What a partnership covers."""

    ALL = "all"
    SITES = "sites"
    OFFERS = "offers"


def _owner() -> Any:
    return Field(foreign_key="organisation.id", index=True)


def enum_field(enum_type: type[enum.Enum], default: Any = None, **kwargs: Any) -> Any:
    """A column storing an enum's values as text (portable, no database enum type to migrate)."""
    sa_type = SAEnum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda e: [m.value for m in e],
    )
    return Field(default=default, sa_type=sa_type, **kwargs)


class Organisation(SQLModel, table=True):
    """A landlord, a managing association or an institution."""

    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    # An organisation owns its own row; the column is set right after insert.
    owner_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    kind: OrganisationKind = enum_field(OrganisationKind)
    siren: str | None = Field(default=None, max_length=9)
    department: str | None = Field(default=None, max_length=3)
    closed_on: date | None = None
    version: int = Field(default=1)


class SchemeEnablement(SQLModel, table=True):
    """A scheme an organisation runs: installed is not enabled, this row is."""

    __tablename__ = "scheme_enablement"
    __table_args__ = (UniqueConstraint("organisation_id", "scheme", name="uq_enablement"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    scheme: str = Field(max_length=40)
    enabled_on: date
    disabled_on: date | None = None
    version: int = Field(default=1)


class Partnership(SQLModel, table=True):
    """A link between two organisations granting the partner a role over a scope, for dates."""

    __tablename__ = "partnership"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    partner_id: int = Field(foreign_key="organisation.id", index=True)
    role: PartnershipRole = enum_field(PartnershipRole)
    scope: PartnershipScope = enum_field(PartnershipScope, default=PartnershipScope.ALL)
    site_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    offer_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    grants_resident_files: bool = False
    start_date: date
    end_date: date | None = None
    version: int = Field(default=1)


class Site(SQLModel, table=True):
    """A residence or building owned by a landlord."""

    __tablename__ = "site"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=300)
    postcode: str | None = Field(default=None, max_length=5)
    commune: str = Field(max_length=120)
    department: str | None = Field(default=None, max_length=3)
    in_priority_district: bool = False
    opened_on: date | None = None
    closed_on: date | None = None
    version: int = Field(default=1)


class Unit(SQLModel, table=True):
    """A dwelling (logement) or a shared room of a site."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("owner_id", "national_id", name="uq_unit_national_id"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    site_id: int = Field(foreign_key="site.id", index=True)
    national_id: str | None = Field(default=None, max_length=40)
    label: str = Field(max_length=60)
    typology: Typology = enum_field(Typology)
    surface_m2: float | None = None
    floor: int | None = None
    furnished: bool = False
    accessible: bool = False
    common: bool = False
    monthly_rent: float | None = None
    closed_on: date | None = None
    version: int = Field(default=1)


class Offer(SQLModel, table=True):
    """One scheme run somewhere: in a site, or over a landlord's whole portfolio."""

    __tablename__ = "offer"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    scheme: str = Field(max_length=40, index=True)
    name: str = Field(max_length=200)
    landlord_id: int = Field(foreign_key="organisation.id", index=True)
    manager_id: int = Field(foreign_key="organisation.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="site.id", index=True)
    capacity: int | None = None
    start_date: date
    end_date: date | None = None
    parameters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)


class OfferUnit(SQLModel, table=True):
    """A unit attached to an offer."""

    __tablename__ = "offer_unit"
    __table_args__ = (UniqueConstraint("offer_id", "unit_id", name="uq_offer_unit"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    offer_id: int = Field(foreign_key="offer.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)


class Household(SQLModel, table=True):
    """A household (ménage): the unit of eligibility, occupancy and support."""

    __tablename__ = "household"
    # An organisation's households in id order: its pages (``households(organisationId:)``).
    __table_args__ = (Index("ix_household_owner_page", "owner_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    reference: str = Field(max_length=60)
    confidential: bool = False
    created_on: date
    closed_on: date | None = None
    version: int = Field(default=1)


class Person(SQLModel, table=True):
    """A member of a household."""

    __tablename__ = "person"
    # Age bands (seniors, young people) filter on the birth date across a landlord's tenants.
    __table_args__ = (Index("ix_person_birth_date", "birth_date"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    household_id: int = Field(foreign_key="household.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    role: MemberRole = enum_field(MemberRole, default=MemberRole.REFERENCE)
    birth_date: date | None = None
    activity: Activity | None = enum_field(Activity)
    monthly_resources: float | None = None
    isolated: bool | None = None
    left_on: date | None = None
    version: int = Field(default=1)


class Occupancy(SQLModel, table=True):
    """A household living in a unit (under an offer or as an ordinary tenant) between two dates."""

    __tablename__ = "occupancy"
    __table_args__ = (
        Index("ix_occupancy_offer_dates", "offer_id", "start_date", "end_date"),
        # A household's occupancy in force at a date: facts, verdicts and the current unit.
        Index("ix_occupancy_household_start", "household_id", "start_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    household_id: int = Field(foreign_key="household.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    start_date: date
    end_date: date | None = None
    exit_reason: str | None = Field(default=None, max_length=200)
    exit_destination: ExitDestination | None = enum_field(ExitDestination)
    version: int = Field(default=1)


class Referral(SQLModel, table=True):
    """A household proposed to an offer by an organisation, and the decision taken."""

    __tablename__ = "referral"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    household_id: int = Field(foreign_key="household.id", index=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    proposer_id: int = Field(foreign_key="organisation.id", index=True)
    proposed_on: date
    decision: ReferralDecision = enum_field(ReferralDecision, default=ReferralDecision.PENDING)
    decided_on: date | None = None
    reason: str | None = Field(default=None, max_length=300)
    version: int = Field(default=1)


class SupportEpisode(SQLModel, table=True):
    """A household supported by an organisation, under an offer or not, from a date to a date."""

    __tablename__ = "support_episode"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    household_id: int = Field(foreign_key="household.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    start_date: date
    end_date: date | None = None
    end_reason: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)


class SupportContact(SQLModel, table=True):
    """A contact (visit, call) within a support episode."""

    __tablename__ = "support_contact"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    episode_id: int = Field(foreign_key="support_episode.id", index=True)
    contact_on: date = Field(index=True)
    kind: ContactKind = enum_field(ContactKind)
    duration_minutes: int | None = None
    version: int = Field(default=1)


class IdempotencyRecord(SQLModel, table=True):
    """The object a create mutation made for a client's idempotency key (a retry returns it)."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("owner_id", "mutation", "key", name="uq_idempotency"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _owner()
    mutation: str = Field(max_length=60)
    key: str = Field(max_length=100)
    object_type: str = Field(max_length=60)
    object_id: int


class Role(enum.StrEnum):
    """What a token's holder may do within its organisation."""

    ADMIN = "admin"  # everything its organisation may do, tokens included
    STAFF = "staff"  # read and write its organisation's data
    VIEWER = "viewer"  # read only
    AUDITOR = "auditor"  # read the audit log of its organisation
    PLATFORM = (
        "platform"  # operators of the deployment: every organisation (no sensitive field unless granted)
    )


class ApiToken(SQLModel, table=True):
    """A bearer token: only its SHA-256 hash is stored; the secret is shown once at creation."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    # The organisation the holder acts for; null for platform operators.
    owner_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    prefix: str = Field(max_length=16, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: Role = enum_field(Role)
    permissions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    label: str = Field(default="", max_length=100)
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """An append-only record: a sensitive field read, or a mutation and what it changed."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_owner_at", "owner_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    # The organisation whose data was touched (the household's owner), when known.
    owner_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    at: datetime
    actor: str = Field(max_length=100)
    actor_organisation_id: int | None = None
    action: str = Field(max_length=40)
    object_type: str | None = Field(default=None, max_length=60)
    object_id: int | None = None
    household_id: int | None = Field(default=None, index=True)
    field: str | None = Field(default=None, max_length=100)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


#: Core tables, in dependency order.
CORE_TABLES: tuple[type[SQLModel], ...] = (
    Organisation,
    SchemeEnablement,
    Partnership,
    Site,
    Unit,
    Offer,
    OfferUnit,
    Household,
    Person,
    Occupancy,
    Referral,
    SupportEpisode,
    SupportContact,
    IdempotencyRecord,
    ApiToken,
    AuditEvent,
)
