"""Writes of the core graph: validation (French user errors) and rows, one call per mutation."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session
from strawberry import UNSET

from core.access import acts_for
from core.facts import age_at
from core.models import (
    Household,
    IdempotencyRecord,
    Occupancy,
    Offer,
    OfferUnit,
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipScope,
    Person,
    Referral,
    ReferralDecision,
    SchemeEnablement,
    Site,
    SupportContact,
    SupportEpisode,
    Unit,
)
from core.plugins import Registry
from core.services.schemes import enabled_schemes
from core.services.write import Checker, check_version, decode_id, fail, get_ref, patch, require_acts_for

#: Oldest plausible age of a living person.
MAX_AGE = 120


def provided(data: Any, *names: str) -> dict[str, Any]:
    """The fields of an input object the client actually sent (UNSET ones are left out)."""
    return {n: getattr(data, n) for n in names if getattr(data, n) is not UNSET}


def camel(name: str) -> str:
    """snake_case to camelCase, for user-error field paths."""
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _owned_self(session: Session, org: Organisation) -> Organisation:
    session.flush()
    org.owner_id = org.id
    return org


# -- idempotency ----------------------------------------------------------------------------
def replay(session: Session, mutation: str, key: str | None, owner_id: int, model: type) -> Any:
    """The object a previous call with this idempotency key created, if any."""
    if not key:
        return None
    rec = session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.owner_id == owner_id,
            IdempotencyRecord.mutation == mutation,
            IdempotencyRecord.key == key,
        )
    ).scalar_one_or_none()
    return session.get(model, rec.object_id) if rec else None


def remember(session: Session, mutation: str, key: str | None, owner_id: int, obj: Any) -> None:
    """Record the object a create made under an idempotency key (same transaction)."""
    if key:
        session.flush()
        session.add(
            IdempotencyRecord(
                owner_id=owner_id,
                mutation=mutation,
                key=key[:100],
                object_type=type(obj).__name__,
                object_id=obj.id,
            )
        )


# -- organisations -------------------------------------------------------------------------
def _check_org_fields(c: Checker, values: dict[str, Any]) -> None:
    c.text(values.get("name"), "name")
    siren = values.get("siren")
    c.require(
        siren is None or bool(re.fullmatch(r"\d{9}", siren)),
        "siren",
        "INVALID_FORMAT",
        "Le SIREN compte 9 chiffres.",
    )
    dept = values.get("department")
    c.require(
        dept is None or bool(re.fullmatch(r"\d{2,3}|2[AB]", dept)),
        "department",
        "INVALID_FORMAT",
        "Code de département invalide.",
    )


def create_organisation(session: Session, data: Any) -> Organisation:
    """Create an organisation (it owns its own row)."""
    values = provided(data, "name", "kind", "siren", "department")
    c = Checker()
    _check_org_fields(c, values)
    c.done()
    org = Organisation(**values)
    session.add(org)
    return _owned_self(session, org)


def update_organisation(session: Session, data: Any) -> Organisation:
    """Update an organisation's name and identifiers."""
    org = get_ref(session, Organisation, data.id, "id", "Organisation")
    require_acts_for(org.id, "id")
    values = provided(data, "name", "siren", "department")
    c = Checker()
    _check_org_fields(c, values)
    c.done()
    check_version(org, data.version)
    patch(org, values)
    return org


def close(session: Session, model: type, type_name: str, data: Any, start_attr: str | None) -> Any:
    """Close an object at a date (organisation, site, unit, offer, household)."""
    row: Any = get_ref(session, model, data.id, "id", type_name)
    owners = {row.owner_id} | ({row.manager_id} if hasattr(row, "manager_id") else set())
    if not any(acts_for(o) for o in owners):
        raise fail("id", "FORBIDDEN", "Vous ne pouvez pas agir pour une autre organisation que la vôtre.")
    attr = "end_date" if hasattr(row, "end_date") else "closed_on"
    if getattr(row, attr) is not None:
        raise fail("id", "ALREADY_CLOSED", "Cet objet est déjà clos.")
    start = getattr(row, start_attr) if start_attr else None
    if start is not None and data.closed_on < start:
        raise fail("closedOn", "DATE_ORDER", "La date de clôture précède la date de début.")
    check_version(row, data.version)
    setattr(row, attr, data.closed_on)
    return row


# -- schemes -------------------------------------------------------------------------------
def enable_scheme(session: Session, registry: Registry, data: Any) -> SchemeEnablement:
    """Enable an installed scheme for an organisation from a date."""
    org = get_ref(session, Organisation, data.organisation_id, "organisationId", "Organisation")
    require_acts_for(org.id, "organisationId")
    if registry.scheme(data.scheme) is None:
        raise fail(
            "scheme",
            "SCHEME_NOT_INSTALLED",
            f"Le dispositif « {data.scheme} » n'est pas installé sur ce serveur.",
        )
    row = session.execute(
        select(SchemeEnablement).where(
            SchemeEnablement.organisation_id == org.id, SchemeEnablement.scheme == data.scheme
        )
    ).scalar_one_or_none()
    if row is None:
        assert org.id is not None
        row = SchemeEnablement(
            owner_id=org.id, organisation_id=org.id, scheme=data.scheme, enabled_on=data.enabled_on
        )
        session.add(row)
    elif row.disabled_on is None:
        raise fail("scheme", "ALREADY_ENABLED", "Ce dispositif est déjà activé pour l'organisation.")
    else:
        row.enabled_on, row.disabled_on = data.enabled_on, None
        row.version += 1
    return row


def disable_scheme(session: Session, data: Any) -> SchemeEnablement:
    """Disable a scheme for an organisation from a date."""
    org_id = get_ref(session, Organisation, data.organisation_id, "organisationId", "Organisation").id
    require_acts_for(org_id, "organisationId")
    row = session.execute(
        select(SchemeEnablement).where(
            SchemeEnablement.organisation_id == org_id,
            SchemeEnablement.scheme == data.scheme,
            SchemeEnablement.disabled_on.is_(None),  # type: ignore[union-attr]
        )
    ).scalar_one_or_none()
    if row is None:
        raise fail("scheme", "NOT_ENABLED", "Ce dispositif n'est pas activé pour l'organisation.")
    if data.disabled_on < row.enabled_on:
        raise fail("disabledOn", "DATE_ORDER", "La désactivation précède l'activation.")
    row.disabled_on = data.disabled_on
    row.version += 1
    return row  # type: ignore[no-any-return]


# -- partnerships --------------------------------------------------------------------------
def create_partnership(session: Session, data: Any) -> Partnership:
    """Create a partnership from a granting organisation to a partner."""
    owner = get_ref(session, Organisation, data.organisation_id, "organisationId", "Organisation")
    require_acts_for(owner.id, "organisationId")
    partner = get_ref(session, Organisation, data.partner_id, "partnerId", "Organisation")
    c = Checker()
    c.require(
        owner.id != partner.id,
        "partnerId",
        "SAME_ORGANISATION",
        "Une organisation ne peut pas être partenaire d'elle-même.",
    )
    c.dates(data.start_date, data.end_date)
    site_ids = [decode_id(g, "Site", "siteIds") for g in data.site_ids]
    offer_ids = [decode_id(g, "Offer", "offerIds") for g in data.offer_ids]
    if data.scope == PartnershipScope.SITES:
        c.require(bool(site_ids), "siteIds", "REQUIRED", "Indiquez au moins une résidence.")
    if data.scope == PartnershipScope.OFFERS:
        c.require(bool(offer_ids), "offerIds", "REQUIRED", "Indiquez au moins une offre.")
    for sid in site_ids:
        site = session.get(Site, sid)
        c.require(
            site is not None and site.owner_id == owner.id,
            "siteIds",
            "NOT_FOUND",
            "Résidence introuvable chez l'organisation.",
        )
    for oid in offer_ids:
        offer = session.get(Offer, oid)
        c.require(
            offer is not None and owner.id in (offer.landlord_id, offer.manager_id),
            "offerIds",
            "NOT_FOUND",
            "Offre introuvable chez l'organisation.",
        )
    c.done()
    assert owner.id is not None and partner.id is not None
    row = Partnership(
        owner_id=owner.id,
        partner_id=partner.id,
        role=data.role,
        scope=data.scope,
        site_ids=site_ids,
        offer_ids=offer_ids,
        grants_resident_files=data.grants_resident_files,
        start_date=data.start_date,
        end_date=data.end_date,
    )
    session.add(row)
    return row


def update_partnership(session: Session, data: Any) -> Partnership:
    """Change a partnership's role, resident-files grant or start date."""
    row = get_ref(session, Partnership, data.id, "id", "Partnership")
    require_acts_for(row.owner_id, "id")
    values = provided(data, "role", "grants_resident_files", "start_date")
    c = Checker()
    for key, value in values.items():
        c.require(value is not None, camel(key), "REQUIRED", "Ce champ est obligatoire.")
    c.dates(values.get("start_date") or row.start_date, row.end_date)
    c.done()
    check_version(row, data.version)
    patch(row, values)
    return row


def end_partnership(session: Session, data: Any) -> Partnership:
    """End a partnership at a date."""
    row = get_ref(session, Partnership, data.id, "id", "Partnership")
    require_acts_for(row.owner_id, "id")
    c = Checker()
    c.dates(row.start_date, data.end_date)
    c.done()
    check_version(row, data.version)
    row.end_date = data.end_date
    return row


# -- sites and units -----------------------------------------------------------------------
def _check_site(c: Checker, values: dict[str, Any]) -> None:
    c.text(values.get("name"), "name")
    c.text(values.get("commune"), "commune", max_length=120)
    pc = values.get("postcode")
    c.require(
        pc is None or bool(re.fullmatch(r"\d{5}", pc)),
        "postcode",
        "INVALID_FORMAT",
        "Le code postal compte 5 chiffres.",
    )


def create_site(session: Session, data: Any) -> Site:
    """Create a site owned by a landlord."""
    org = get_ref(session, Organisation, data.organisation_id, "organisationId", "Organisation")
    require_acts_for(org.id, "organisationId")
    if org.kind != OrganisationKind.LANDLORD:
        raise fail("organisationId", "NOT_A_LANDLORD", "Seul un bailleur possède des résidences.")
    assert org.id is not None
    found = replay(session, "createSite", data.idempotency_key, org.id, Site)
    if found is not None:
        return found  # type: ignore[no-any-return]
    values = provided(
        data,
        "name",
        "commune",
        "address",
        "postcode",
        "department",
        "in_priority_district",
        "opened_on",
    )
    c = Checker()
    _check_site(c, values)
    c.done()
    site = Site(owner_id=org.id, **values)
    session.add(site)
    remember(session, "createSite", data.idempotency_key, org.id, site)
    return site


def update_site(session: Session, data: Any) -> Site:
    """Update a site."""
    site = get_ref(session, Site, data.id, "id", "Site")
    require_acts_for(site.owner_id, "id")
    values = provided(data, "name", "commune", "address", "postcode", "in_priority_district")
    c = Checker()
    _check_site(c, values)
    for key in ("name", "commune", "in_priority_district"):
        c.require(
            key not in values or values[key] is not None,
            camel(key),
            "REQUIRED",
            "Ce champ est obligatoire.",
        )
    c.done()
    check_version(site, data.version)
    patch(site, values)
    return site


def _check_unit(c: Checker, values: dict[str, Any]) -> None:
    c.text(values.get("label"), "label", max_length=60)
    c.non_negative(values.get("monthly_rent"), "monthlyRent")
    surface = values.get("surface_m2")
    c.require(
        surface is None or 0 < surface < 1000,
        "surfaceM2",
        "OUT_OF_RANGE",
        "La surface doit être comprise entre 0 et 1000 m².",
    )
    floor = values.get("floor")
    c.require(floor is None or -5 <= floor <= 100, "floor", "OUT_OF_RANGE", "Étage invraisemblable.")


def create_unit(session: Session, data: Any) -> Unit:
    """Create a unit in a site (owned by the site's landlord)."""
    site = get_ref(session, Site, data.site_id, "siteId", "Site")
    require_acts_for(site.owner_id, "siteId")
    values = provided(
        data,
        "label",
        "typology",
        "national_id",
        "surface_m2",
        "floor",
        "furnished",
        "accessible",
        "common",
        "monthly_rent",
    )
    c = Checker()
    _check_unit(c, values)
    if values.get("national_id"):
        dup = session.execute(
            select(Unit.id).where(Unit.owner_id == site.owner_id, Unit.national_id == values["national_id"])
        ).first()
        c.require(
            dup is None,
            "nationalId",
            "DUPLICATE",
            "Un logement porte déjà cet identifiant national chez ce bailleur.",
        )
    c.done()
    assert site.id is not None
    unit = Unit(owner_id=site.owner_id, site_id=site.id, **values)
    session.add(unit)
    return unit


def update_unit(session: Session, data: Any) -> Unit:
    """Update a unit."""
    unit = get_ref(session, Unit, data.id, "id", "Unit")
    require_acts_for(unit.owner_id, "id")
    values = provided(
        data,
        "label",
        "typology",
        "surface_m2",
        "floor",
        "furnished",
        "accessible",
        "common",
        "monthly_rent",
    )
    c = Checker()
    _check_unit(c, values)
    for key in ("label", "typology", "furnished", "accessible", "common"):
        c.require(
            key not in values or values[key] is not None,
            camel(key),
            "REQUIRED",
            "Ce champ est obligatoire.",
        )
    c.done()
    check_version(unit, data.version)
    patch(unit, values)
    return unit


# -- offers --------------------------------------------------------------------------------
def check_parameters(registry: Registry, scheme: str, params: Any, c: Checker) -> dict[str, Any]:
    """Validate an offer's parameter overrides against the scheme's declared parameters."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        c.add("parameters", "INVALID_FORMAT", "Les paramètres sont un objet clé → valeur.")
        return {}
    definition = registry.scheme(scheme)
    out: dict[str, Any] = {}
    for key, value in params.items():
        declared = definition.parameter(key) if definition else None
        if declared is None:
            c.add(
                f"parameters.{key}",
                "UNKNOWN_PARAMETER",
                f"Le dispositif « {scheme} » n'a pas de paramètre « {key} ».",
            )
            continue
        try:
            out[key] = declared.coerce(value)
        except ValueError as exc:
            c.add(f"parameters.{key}", "INVALID_PARAMETER", f"Valeur invalide : {exc}.")
    return out


def create_offer(session: Session, registry: Registry, data: Any, today: date) -> Offer:
    """Create an offer of an installed scheme enabled for its landlord, with its units."""
    landlord = get_ref(session, Organisation, data.landlord_id, "landlordId", "Organisation")
    require_acts_for(landlord.id, "landlordId")
    manager = get_ref(session, Organisation, data.manager_id, "managerId", "Organisation")
    assert landlord.id is not None and manager.id is not None
    found = replay(session, "createOffer", data.idempotency_key, landlord.id, Offer)
    if found is not None:
        return found  # type: ignore[no-any-return]
    c = Checker()
    c.text(data.name, "name")
    c.require(
        landlord.kind == OrganisationKind.LANDLORD,
        "landlordId",
        "NOT_A_LANDLORD",
        "L'organisation indiquée n'est pas un bailleur.",
    )
    if registry.scheme(data.scheme) is None:
        c.add(
            "scheme",
            "SCHEME_NOT_INSTALLED",
            f"Le dispositif « {data.scheme} » n'est pas installé sur ce serveur.",
        )
    elif data.scheme not in enabled_schemes(session, [landlord.id], data.start_date)[landlord.id]:
        c.add(
            "scheme",
            "SCHEME_NOT_ENABLED",
            f"Le dispositif « {data.scheme} » n'est pas activé pour ce bailleur à cette date.",
        )
    c.dates(data.start_date, data.end_date)
    c.require(
        data.capacity is None or 0 <= data.capacity <= 100000,
        "capacity",
        "OUT_OF_RANGE",
        "Capacité invraisemblable.",
    )
    site_id = None
    if data.site_id is not None:
        site = get_ref(session, Site, data.site_id, "siteId", "Site")
        c.require(
            site.owner_id == landlord.id,
            "siteId",
            "NOT_FOUND",
            "Résidence introuvable chez ce bailleur.",
        )
        site_id = site.id
    params = check_parameters(registry, data.scheme, data.parameters, c)
    unit_ids = _units_of(session, data.unit_ids, landlord.id, c)
    c.done()
    offer = Offer(
        owner_id=landlord.id,
        scheme=data.scheme,
        name=data.name,
        landlord_id=landlord.id,
        manager_id=manager.id,
        site_id=site_id,
        capacity=data.capacity,
        start_date=data.start_date,
        end_date=data.end_date,
        parameters=params,
    )
    session.add(offer)
    session.flush()
    for uid in unit_ids:
        session.add(OfferUnit(owner_id=landlord.id, offer_id=offer.id, unit_id=uid))
    remember(session, "createOffer", data.idempotency_key, landlord.id, offer)
    return offer


def _units_of(session: Session, gids: list[Any], landlord_id: int, c: Checker) -> list[int]:
    ids = [decode_id(g, "Unit", "unitIds") for g in gids]
    if ids:
        found = set(
            session.execute(
                select(Unit.id).where(Unit.id.in_(ids), Unit.owner_id == landlord_id)  # type: ignore[union-attr]
            ).scalars()
        )
        c.require(found == set(ids), "unitIds", "NOT_FOUND", "Logement introuvable chez ce bailleur.")
    return ids


def update_offer(session: Session, registry: Registry, data: Any) -> Offer:
    """Update an offer (name, capacity, manager, end date, parameter overrides)."""
    offer = get_ref(session, Offer, data.id, "id", "Offer")
    if not (acts_for(offer.landlord_id) or acts_for(offer.manager_id)):
        raise fail("id", "FORBIDDEN", "Vous ne pouvez pas agir pour une autre organisation que la vôtre.")
    values = provided(data, "name", "capacity", "end_date", "parameters")
    c = Checker()
    c.text(values.get("name"), "name")
    c.dates(offer.start_date, values.get("end_date"))
    if "parameters" in values:
        values["parameters"] = check_parameters(registry, offer.scheme, values["parameters"] or {}, c)
    if data.manager_id is not UNSET and data.manager_id is not None:
        manager = get_ref(session, Organisation, data.manager_id, "managerId", "Organisation")
        values["manager_id"] = manager.id
    c.done()
    check_version(offer, data.version)
    patch(offer, values)
    return offer


def attach_units(session: Session, data: Any, attach: bool) -> Offer:
    """Attach units to (or detach them from) an offer."""
    offer = get_ref(session, Offer, data.offer_id, "offerId", "Offer")
    require_acts_for(offer.landlord_id, "offerId")
    c = Checker()
    ids = _units_of(session, data.unit_ids, offer.landlord_id, c)
    c.done()
    current = set(session.execute(select(OfferUnit.unit_id).where(OfferUnit.offer_id == offer.id)).scalars())
    if attach:
        for uid in sorted(set(ids) - current):
            session.add(OfferUnit(owner_id=offer.landlord_id, offer_id=offer.id, unit_id=uid))
    else:
        for link in session.execute(
            select(OfferUnit).where(OfferUnit.offer_id == offer.id, OfferUnit.unit_id.in_(ids))  # type: ignore[attr-defined]
        ).scalars():
            session.delete(link)
    offer.version += 1
    return offer


# -- households and people -----------------------------------------------------------------
def _check_person(c: Checker, values: dict[str, Any], today: date, prefix: str = "") -> None:
    for key in ("first_name", "last_name"):
        if key in values:
            c.require(
                values[key] is not None,
                prefix + camel(key),
                "REQUIRED",
                "Ce champ est obligatoire.",
            )
            c.text(values[key], prefix + camel(key), max_length=100)
    birth = values.get("birth_date")
    if birth is not None:
        age = age_at(birth, today)
        c.require(
            birth <= today,
            prefix + "birthDate",
            "IN_FUTURE",
            "La date de naissance est dans le futur.",
        )
        c.require(
            age is None or age <= MAX_AGE,
            prefix + "birthDate",
            "IMPLAUSIBLE_AGE",
            f"Âge invraisemblable (plus de {MAX_AGE} ans).",
        )
    res = values.get("monthly_resources")
    c.require(
        res is None or 0 <= res <= 100000,
        prefix + "monthlyResources",
        "OUT_OF_RANGE",
        "Ressources mensuelles invraisemblables.",
    )


PERSON_FIELDS = (
    "first_name",
    "last_name",
    "role",
    "birth_date",
    "activity",
    "monthly_resources",
    "isolated",
)


def create_household(session: Session, data: Any, today: date) -> Household:
    """Create a household and its members."""
    org = get_ref(session, Organisation, data.organisation_id, "organisationId", "Organisation")
    require_acts_for(org.id, "organisationId")
    assert org.id is not None
    found = replay(session, "createHousehold", data.idempotency_key, org.id, Household)
    if found is not None:
        return found  # type: ignore[no-any-return]
    c = Checker()
    c.text(data.reference, "reference", max_length=60)
    members = [provided(m, *PERSON_FIELDS) for m in data.members]
    for i, m in enumerate(members):
        _check_person(c, m, today, prefix=f"members.{i}.")
    c.done()
    household = Household(
        owner_id=org.id,
        reference=data.reference,
        confidential=data.confidential,
        created_on=data.created_on or today,
    )
    session.add(household)
    session.flush()
    assert household.id is not None
    for m in members:
        session.add(Person(owner_id=org.id, household_id=household.id, **m))
    remember(session, "createHousehold", data.idempotency_key, org.id, household)
    return household


def update_household(session: Session, data: Any) -> Household:
    """Update a household's reference or confidentiality."""
    row = get_ref(session, Household, data.id, "id", "Household")
    require_acts_for(row.owner_id, "id")
    values = provided(data, "reference", "confidential")
    c = Checker()
    c.text(values.get("reference"), "reference", max_length=60)
    for key in values:
        c.require(values[key] is not None, camel(key), "REQUIRED", "Ce champ est obligatoire.")
    c.done()
    check_version(row, data.version)
    patch(row, values)
    return row


def add_person(session: Session, data: Any, today: date) -> Person:
    """Add a member to a household."""
    household = get_ref(session, Household, data.household_id, "householdId", "Household")
    require_acts_for(household.owner_id, "householdId")
    values = provided(data.person, *PERSON_FIELDS)
    c = Checker()
    _check_person(c, values, today, prefix="person.")
    c.done()
    assert household.id is not None
    person = Person(owner_id=household.owner_id, household_id=household.id, **values)
    session.add(person)
    return person


def update_person(session: Session, data: Any, today: date) -> Person:
    """Update a person's facts."""
    person = get_ref(session, Person, data.id, "id", "Person")
    require_acts_for(person.owner_id, "id")
    values = provided(data, *PERSON_FIELDS)
    c = Checker()
    _check_person(c, values, today)
    c.require(values.get("role", True) is not None, "role", "REQUIRED", "Ce champ est obligatoire.")
    c.done()
    check_version(person, data.version)
    patch(person, values)
    return person


def remove_person(session: Session, data: Any) -> Person:
    """Record that a person left the household."""
    person = get_ref(session, Person, data.id, "id", "Person")
    require_acts_for(person.owner_id, "id")
    if person.left_on is not None:
        raise fail("id", "ALREADY_CLOSED", "Cette personne a déjà quitté le ménage.")
    check_version(person, data.version)
    person.left_on = data.left_on
    return person


# -- occupancy, referrals, support ---------------------------------------------------------
def start_occupancy(session: Session, data: Any) -> Occupancy:
    """A household moves into a unit (under an offer, owned by its manager; else the landlord's)."""
    household = get_ref(session, Household, data.household_id, "householdId", "Household")
    unit = get_ref(session, Unit, data.unit_id, "unitId", "Unit")
    owner_id = unit.owner_id
    found = replay(session, "startOccupancy", data.idempotency_key, owner_id, Occupancy)
    if found is not None:
        return found  # type: ignore[no-any-return]
    c = Checker()
    offer_id = None
    if data.offer_id is not None:
        offer = get_ref(session, Offer, data.offer_id, "offerId", "Offer")
        require_acts_for(offer.manager_id, "offerId")
        offer_id, owner_id = offer.id, offer.manager_id
        attached = set(
            session.execute(select(OfferUnit.unit_id).where(OfferUnit.offer_id == offer.id)).scalars()
        )
        c.require(
            not attached or unit.id in attached,
            "unitId",
            "UNIT_NOT_IN_OFFER",
            "Ce logement n'est pas rattaché à l'offre.",
        )
        c.require(
            data.start_date >= offer.start_date,
            "startDate",
            "DATE_ORDER",
            "L'entrée précède l'ouverture de l'offre.",
        )
    else:
        require_acts_for(unit.owner_id, "unitId")
    c.require(
        unit.closed_on is None or unit.closed_on > data.start_date,
        "unitId",
        "CLOSED",
        "Ce logement est fermé à cette date.",
    )
    overlapping = session.execute(
        select(Occupancy.id).where(
            Occupancy.household_id == household.id,
            or_(Occupancy.end_date.is_(None), Occupancy.end_date >= data.start_date),  # type: ignore[union-attr]
        )
    ).first()
    c.require(
        overlapping is None,
        "householdId",
        "OVERLAPPING_OCCUPANCY",
        "Ce ménage occupe déjà un logement à cette date : terminez d'abord l'occupation en cours.",
    )
    c.done()
    assert household.id is not None and unit.id is not None
    row = Occupancy(
        owner_id=owner_id,
        household_id=household.id,
        unit_id=unit.id,
        offer_id=offer_id,
        start_date=data.start_date,
    )
    session.add(row)
    remember(session, "startOccupancy", data.idempotency_key, unit.owner_id, row)
    return row


def update_occupancy(session: Session, data: Any) -> Occupancy:
    """Correct an occupancy's start date or exit details."""
    row = get_ref(session, Occupancy, data.id, "id", "Occupancy")
    require_acts_for(row.owner_id, "id")
    values = provided(data, "start_date", "exit_destination", "exit_reason")
    c = Checker()
    c.require(
        values.get("start_date", True) is not None, "startDate", "REQUIRED", "Ce champ est obligatoire."
    )
    c.dates(values.get("start_date") or row.start_date, row.end_date)
    if row.end_date is None:
        for key in ("exit_destination", "exit_reason"):
            c.require(
                values.get(key) is None,
                camel(key),
                "NOT_ENDED",
                "Cette occupation n'est pas terminée : utilisez endOccupancy.",
            )
    c.text(values.get("exit_reason"), "exitReason")
    c.done()
    check_version(row, data.version)
    patch(row, values)
    return row


def end_occupancy(session: Session, data: Any) -> Occupancy:
    """A household leaves its unit, with where it went."""
    row = get_ref(session, Occupancy, data.occupancy_id, "occupancyId", "Occupancy")
    require_acts_for(row.owner_id, "occupancyId")
    c = Checker()
    c.require(row.end_date is None, "occupancyId", "ALREADY_CLOSED", "Cette occupation est déjà terminée.")
    c.dates(row.start_date, data.end_date)
    c.text(data.exit_reason, "exitReason")
    c.done()
    check_version(row, data.version)
    row.end_date, row.exit_destination, row.exit_reason = (
        data.end_date,
        data.exit_destination,
        data.exit_reason,
    )
    return row


def create_referral(session: Session, data: Any) -> Referral:
    """A household proposed to an offer (owned by the offer's manager, the data controller)."""
    household = get_ref(session, Household, data.household_id, "householdId", "Household")
    offer = get_ref(session, Offer, data.offer_id, "offerId", "Offer")
    proposer = get_ref(session, Organisation, data.proposer_id, "proposerId", "Organisation")
    require_acts_for(proposer.id, "proposerId")
    found = replay(session, "createReferral", data.idempotency_key, offer.manager_id, Referral)
    if found is not None:
        return found  # type: ignore[no-any-return]
    pending = session.execute(
        select(Referral.id).where(
            and_(
                Referral.household_id == household.id,
                Referral.offer_id == offer.id,
                Referral.decision == ReferralDecision.PENDING,
            )
        )
    ).first()
    if pending is not None:
        raise fail(
            "householdId",
            "ALREADY_PENDING",
            "Une orientation de ce ménage vers cette offre est déjà en attente.",
        )
    assert household.id is not None and offer.id is not None and proposer.id is not None
    row = Referral(
        owner_id=offer.manager_id,
        household_id=household.id,
        offer_id=offer.id,
        proposer_id=proposer.id,
        proposed_on=data.proposed_on,
    )
    session.add(row)
    remember(session, "createReferral", data.idempotency_key, offer.manager_id, row)
    return row


def decide_referral(session: Session, data: Any) -> Referral:
    """Record the decision on a pending referral."""
    row = get_ref(session, Referral, data.referral_id, "referralId", "Referral")
    require_acts_for(row.owner_id, "referralId")
    c = Checker()
    c.require(
        row.decision == ReferralDecision.PENDING,
        "referralId",
        "ALREADY_DECIDED",
        "Cette orientation a déjà reçu une décision.",
    )
    c.require(
        data.decision != ReferralDecision.PENDING,
        "decision",
        "INVALID_DECISION",
        "Une décision doit admettre, refuser ou constater un retrait.",
    )
    c.require(
        data.decided_on >= row.proposed_on,
        "decidedOn",
        "DATE_ORDER",
        "La décision précède la proposition.",
    )
    c.text(data.reason, "reason", max_length=300)
    c.done()
    check_version(row, data.version)
    row.decision, row.decided_on, row.reason = data.decision, data.decided_on, data.reason
    return row


def start_support_episode(session: Session, data: Any) -> SupportEpisode:
    """Start supporting a household (owned by the supporting organisation)."""
    household = get_ref(session, Household, data.household_id, "householdId", "Household")
    org = get_ref(session, Organisation, data.organisation_id, "organisationId", "Organisation")
    require_acts_for(org.id, "organisationId")
    assert household.id is not None and org.id is not None
    found = replay(session, "startSupportEpisode", data.idempotency_key, org.id, SupportEpisode)
    if found is not None:
        return found  # type: ignore[no-any-return]
    offer_id = None
    if data.offer_id is not None:
        offer = get_ref(session, Offer, data.offer_id, "offerId", "Offer")
        offer_id = offer.id
    row = SupportEpisode(
        owner_id=org.id,
        household_id=household.id,
        offer_id=offer_id,
        organisation_id=org.id,
        start_date=data.start_date,
    )
    session.add(row)
    remember(session, "startSupportEpisode", data.idempotency_key, org.id, row)
    return row


def end_support_episode(session: Session, data: Any) -> SupportEpisode:
    """End a support episode."""
    row = get_ref(session, SupportEpisode, data.episode_id, "episodeId", "SupportEpisode")
    require_acts_for(row.owner_id, "episodeId")
    c = Checker()
    c.require(row.end_date is None, "episodeId", "ALREADY_CLOSED", "Cet accompagnement est déjà terminé.")
    c.dates(row.start_date, data.end_date)
    c.done()
    check_version(row, data.version)
    row.end_date, row.end_reason = data.end_date, data.end_reason
    return row


def add_support_contact(session: Session, data: Any) -> SupportContact:
    """Record a contact within a support episode's dates."""
    episode = get_ref(session, SupportEpisode, data.episode_id, "episodeId", "SupportEpisode")
    require_acts_for(episode.owner_id, "episodeId")
    c = Checker()
    inside = data.contact_on >= episode.start_date and (
        episode.end_date is None or data.contact_on <= episode.end_date
    )
    c.require(inside, "contactOn", "OUT_OF_EPISODE", "Ce contact est hors des dates de l'accompagnement.")
    c.require(
        data.duration_minutes is None or 0 < data.duration_minutes <= 24 * 60,
        "durationMinutes",
        "OUT_OF_RANGE",
        "Durée invraisemblable.",
    )
    c.done()
    assert episode.id is not None
    row = SupportContact(
        owner_id=episode.owner_id,
        episode_id=episode.id,
        contact_on=data.contact_on,
        kind=data.kind,
        duration_minutes=data.duration_minutes,
    )
    session.add(row)
    return row
