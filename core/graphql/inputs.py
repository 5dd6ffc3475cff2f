"""Input objects of the core mutations: one input object per mutation."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from core.graphql.common import (
    Activity,
    ContactKind,
    ExitDestination,
    MemberRole,
    OrganisationKind,
    PartnershipRole,
    PartnershipScope,
    ReferralDecision,
    Typology,
)

UNSET = strawberry.UNSET
_VERSION = "Version the client last read; a stale one is refused (no lost update)."
_IDEM = "Client-chosen key making a retried create have exactly one effect."


@strawberry.input(description="A new organisation.")
class CreateOrganisationInput:
    """Create an organisation."""

    name: str = strawberry.field(description="Name of the organisation.")
    kind: OrganisationKind = strawberry.field(description="Landlord, association or institution.")
    siren: str | None = strawberry.field(default=None, description="SIREN number (9 digits).")
    department: str | None = strawberry.field(default=None, description="Department code (e.g. 02).")


@strawberry.input(description="Changes to an organisation; omitted fields keep their value.")
class UpdateOrganisationInput:
    """Update an organisation."""

    id: strawberry.ID = strawberry.field(description="Organisation to update.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    name: str | None = strawberry.field(default=UNSET, description="New name.")
    siren: str | None = strawberry.field(default=UNSET, description="New SIREN number.")
    department: str | None = strawberry.field(default=UNSET, description="New department code.")


@strawberry.input(description="Close an object at a date (it stays in the history).")
class CloseInput:
    """Close an organisation, a site, a unit, an offer or a household."""

    id: strawberry.ID = strawberry.field(description="Object to close.")
    closed_on: date = strawberry.field(description="Closing date.")
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="Enable a scheme for an organisation from a date.")
class EnableSchemeInput:
    """Enable a scheme."""

    organisation_id: strawberry.ID = strawberry.field(description="Organisation running the scheme.")
    scheme: str = strawberry.field(description="Code of an installed scheme.")
    enabled_on: date = strawberry.field(description="Date from which the scheme is enabled.")


@strawberry.input(description="Disable a scheme for an organisation from a date.")
class DisableSchemeInput:
    """Disable a scheme."""

    organisation_id: strawberry.ID = strawberry.field(description="Organisation.")
    scheme: str = strawberry.field(description="Code of the scheme.")
    disabled_on: date = strawberry.field(description="Date from which it is disabled.")


@strawberry.input(description="A partnership granting a partner a role over a scope.")
class CreatePartnershipInput:
    """Create a partnership."""

    organisation_id: strawberry.ID = strawberry.field(description="Granting organisation (owner).")
    partner_id: strawberry.ID = strawberry.field(description="Partner organisation.")
    role: PartnershipRole = strawberry.field(description="What the partner does.")
    scope: PartnershipScope = strawberry.field(
        default=PartnershipScope.ALL, description="What the partnership covers."
    )
    site_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Sites covered when scope is SITES."
    )
    offer_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Offers covered when scope is OFFERS."
    )
    grants_resident_files: bool = strawberry.field(
        default=False, description="Whether the partner may read the residents' files."
    )
    start_date: date = strawberry.field(description="Start of the partnership.")
    end_date: date | None = strawberry.field(default=None, description="End, if known.")


@strawberry.input(description="Changes to a partnership; omitted fields keep their value.")
class UpdatePartnershipInput:
    """Update a partnership."""

    id: strawberry.ID = strawberry.field(description="Partnership to update.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    role: PartnershipRole | None = strawberry.field(default=UNSET, description="New role.")
    grants_resident_files: bool | None = strawberry.field(
        default=UNSET, description="Whether the partner may read the residents' files."
    )
    start_date: date | None = strawberry.field(default=UNSET, description="New start date.")


@strawberry.input(description="End a partnership at a date.")
class EndPartnershipInput:
    """End a partnership."""

    id: strawberry.ID = strawberry.field(description="Partnership to end.")
    end_date: date = strawberry.field(description="Last day of the partnership.")
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="A new site (residence, building) of a landlord.")
class CreateSiteInput:
    """Create a site."""

    organisation_id: strawberry.ID = strawberry.field(description="Landlord owning the site.")
    name: str = strawberry.field(description="Name of the site.")
    commune: str = strawberry.field(description="Commune.")
    address: str | None = strawberry.field(default=None, description="Street address.")
    postcode: str | None = strawberry.field(default=None, description="Postcode (5 digits).")
    department: str | None = strawberry.field(default=None, description="Department code.")
    in_priority_district: bool = strawberry.field(
        default=False, description="Whether the site is in a QPV (priority district)."
    )
    opened_on: date | None = strawberry.field(default=None, description="Opening date.")
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEM)


@strawberry.input(description="Changes to a site; omitted fields keep their value.")
class UpdateSiteInput:
    """Update a site."""

    id: strawberry.ID = strawberry.field(description="Site to update.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    name: str | None = strawberry.field(default=UNSET, description="New name.")
    commune: str | None = strawberry.field(default=UNSET, description="New commune.")
    address: str | None = strawberry.field(default=UNSET, description="New address.")
    postcode: str | None = strawberry.field(default=UNSET, description="New postcode.")
    in_priority_district: bool | None = strawberry.field(default=UNSET, description="New QPV flag.")


@strawberry.input(description="A new unit (dwelling) in a site.")
class CreateUnitInput:
    """Create a unit."""

    site_id: strawberry.ID = strawberry.field(description="Site of the unit.")
    label: str = strawberry.field(description="Label (door number).")
    typology: Typology = strawberry.field(description="Typology.")
    national_id: str | None = strawberry.field(
        default=None, description="National dwelling identifier (RNL), unique per landlord."
    )
    surface_m2: float | None = strawberry.field(default=None, description="Surface in m².")
    floor: int | None = strawberry.field(default=None, description="Floor (0 = ground).")
    furnished: bool = strawberry.field(default=False, description="Furnished.")
    accessible: bool = strawberry.field(default=False, description="Accessible (reduced mobility).")
    common: bool = strawberry.field(default=False, description="Shared / common space.")
    monthly_rent: float | None = strawberry.field(default=None, description="Monthly rent (€).")


@strawberry.input(description="Changes to a unit; omitted fields keep their value.")
class UpdateUnitInput:
    """Update a unit."""

    id: strawberry.ID = strawberry.field(description="Unit to update.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    label: str | None = strawberry.field(default=UNSET, description="New label.")
    typology: Typology | None = strawberry.field(default=UNSET, description="New typology.")
    surface_m2: float | None = strawberry.field(default=UNSET, description="New surface.")
    floor: int | None = strawberry.field(default=UNSET, description="New floor.")
    furnished: bool | None = strawberry.field(default=UNSET, description="Furnished.")
    accessible: bool | None = strawberry.field(default=UNSET, description="Accessible.")
    common: bool | None = strawberry.field(default=UNSET, description="Common space.")
    monthly_rent: float | None = strawberry.field(default=UNSET, description="New rent.")


@strawberry.input(description="A new offer: one scheme run in a site or over a portfolio.")
class CreateOfferInput:
    """Create an offer."""

    scheme: str = strawberry.field(description="Code of an installed scheme enabled for the landlord.")
    name: str = strawberry.field(description="Name of the offer.")
    landlord_id: strawberry.ID = strawberry.field(description="Landlord.")
    manager_id: strawberry.ID = strawberry.field(description="Managing organisation.")
    site_id: strawberry.ID | None = strawberry.field(
        default=None, description="Site, or null for a portfolio-wide programme."
    )
    capacity: int | None = strawberry.field(default=None, description="Capacity in places.")
    start_date: date = strawberry.field(description="Start date.")
    end_date: date | None = strawberry.field(default=None, description="End date, if any.")
    parameters: JSON | None = strawberry.field(
        default=None, description="Overrides of the scheme's parameters, by key."
    )
    unit_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Units attached to the offer."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEM)


@strawberry.input(description="Changes to an offer; omitted fields keep their value.")
class UpdateOfferInput:
    """Update an offer."""

    id: strawberry.ID = strawberry.field(description="Offer to update.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    name: str | None = strawberry.field(default=UNSET, description="New name.")
    capacity: int | None = strawberry.field(default=UNSET, description="New capacity.")
    manager_id: strawberry.ID | None = strawberry.field(default=UNSET, description="New manager.")
    end_date: date | None = strawberry.field(default=UNSET, description="New end date.")
    parameters: JSON | None = strawberry.field(
        default=UNSET, description="New overrides (replace the previous ones)."
    )


@strawberry.input(description="Attach units to, or detach them from, an offer.")
class OfferUnitsInput:
    """Attach or detach units."""

    offer_id: strawberry.ID = strawberry.field(description="Offer.")
    unit_ids: list[strawberry.ID] = strawberry.field(description="Units.")


@strawberry.input(description="A member of a household.")
class PersonInput:
    """A person's facts."""

    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    role: MemberRole = strawberry.field(default=MemberRole.REFERENCE, description="Place in the household.")
    birth_date: date | None = strawberry.field(default=None, description="Birth date.")
    activity: Activity | None = strawberry.field(default=None, description="Activity situation.")
    monthly_resources: float | None = strawberry.field(default=None, description="Monthly resources (€).")
    isolated: bool | None = strawberry.field(default=None, description="Socially isolated.")


@strawberry.input(description="A new household with its members.")
class CreateHouseholdInput:
    """Create a household."""

    organisation_id: strawberry.ID = strawberry.field(description="Organisation owning the file.")
    reference: str = strawberry.field(description="File reference (no personal data).")
    members: list[PersonInput] = strawberry.field(
        default_factory=list, description="Members of the household."
    )
    confidential: bool = strawberry.field(
        default=False, description="Address and presence hidden (e.g. violence victims)."
    )
    created_on: date | None = strawberry.field(default=None, description="Creation date (today).")
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEM)


@strawberry.input(description="Changes to a household; omitted fields keep their value.")
class UpdateHouseholdInput:
    """Update a household."""

    id: strawberry.ID = strawberry.field(description="Household to update.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    reference: str | None = strawberry.field(default=UNSET, description="New reference.")
    confidential: bool | None = strawberry.field(default=UNSET, description="Confidential flag.")


@strawberry.input(description="Add a member to a household.")
class AddPersonInput:
    """Add a person."""

    household_id: strawberry.ID = strawberry.field(description="Household.")
    person: PersonInput = strawberry.field(description="The person.")


@strawberry.input(description="Changes to a person; omitted fields keep their value.")
class UpdatePersonInput:
    """Update a person."""

    id: strawberry.ID = strawberry.field(description="Person to update.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    first_name: str | None = strawberry.field(default=UNSET, description="First name.")
    last_name: str | None = strawberry.field(default=UNSET, description="Last name.")
    role: MemberRole | None = strawberry.field(default=UNSET, description="Role.")
    birth_date: date | None = strawberry.field(default=UNSET, description="Birth date.")
    activity: Activity | None = strawberry.field(default=UNSET, description="Activity.")
    monthly_resources: float | None = strawberry.field(default=UNSET, description="Resources.")
    isolated: bool | None = strawberry.field(default=UNSET, description="Isolation.")


@strawberry.input(description="A member leaves the household at a date.")
class RemovePersonInput:
    """Remove a person."""

    id: strawberry.ID = strawberry.field(description="Person.")
    left_on: date = strawberry.field(description="Date the person left.")
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="A household moves into a unit, under an offer or as a tenant.")
class StartOccupancyInput:
    """Start an occupancy."""

    household_id: strawberry.ID = strawberry.field(description="Household.")
    unit_id: strawberry.ID = strawberry.field(description="Unit.")
    offer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Offer, or null for an ordinary tenancy."
    )
    start_date: date = strawberry.field(description="Move-in date.")
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEM)


@strawberry.input(description="Corrections to an occupancy; omitted fields keep their value.")
class UpdateOccupancyInput:
    """Update an occupancy."""

    id: strawberry.ID = strawberry.field(description="Occupancy to correct.")
    version: int | None = strawberry.field(default=None, description=_VERSION)
    start_date: date | None = strawberry.field(default=UNSET, description="Corrected move-in date.")
    exit_destination: ExitDestination | None = strawberry.field(
        default=UNSET, description="Corrected destination (ended occupancies)."
    )
    exit_reason: str | None = strawberry.field(default=UNSET, description="Corrected exit reason.")


@strawberry.input(description="A household leaves a unit.")
class EndOccupancyInput:
    """End an occupancy."""

    occupancy_id: strawberry.ID = strawberry.field(description="Occupancy.")
    end_date: date = strawberry.field(description="Move-out date.")
    exit_destination: ExitDestination | None = strawberry.field(
        default=None, description="Where the household went."
    )
    exit_reason: str | None = strawberry.field(default=None, description="Why it left.")
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="A household proposed to an offer.")
class CreateReferralInput:
    """Create a referral."""

    household_id: strawberry.ID = strawberry.field(description="Household proposed.")
    offer_id: strawberry.ID = strawberry.field(description="Offer proposed to.")
    proposer_id: strawberry.ID = strawberry.field(description="Proposing organisation.")
    proposed_on: date = strawberry.field(description="Date of the proposal.")
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEM)


@strawberry.input(description="The decision on a referral.")
class DecideReferralInput:
    """Decide a referral."""

    referral_id: strawberry.ID = strawberry.field(description="Referral.")
    decision: ReferralDecision = strawberry.field(description="Admitted, refused or withdrawn.")
    decided_on: date = strawberry.field(description="Date of the decision.")
    reason: str | None = strawberry.field(default=None, description="Reason (refusals).")
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="Start supporting a household.")
class StartSupportEpisodeInput:
    """Start a support episode."""

    household_id: strawberry.ID = strawberry.field(description="Household supported.")
    organisation_id: strawberry.ID = strawberry.field(description="Supporting organisation.")
    offer_id: strawberry.ID | None = strawberry.field(default=None, description="Offer, if any.")
    start_date: date = strawberry.field(description="Start of the support.")
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEM)


@strawberry.input(description="End a support episode.")
class EndSupportEpisodeInput:
    """End a support episode."""

    episode_id: strawberry.ID = strawberry.field(description="Support episode.")
    end_date: date = strawberry.field(description="End of the support.")
    end_reason: str | None = strawberry.field(default=None, description="Why it ended.")
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="A contact (visit, call) in a support episode.")
class AddSupportContactInput:
    """Add a contact."""

    episode_id: strawberry.ID = strawberry.field(description="Support episode.")
    contact_on: date = strawberry.field(description="Date of the contact.")
    kind: ContactKind = strawberry.field(description="Kind of contact.")
    duration_minutes: int | None = strawberry.field(default=None, description="Duration (minutes).")
