"""``thema demo``: a deterministic demo world modelled on the source texts, then each plugin's data.

The core builds the organisations, sites and units the texts describe (Clésence and its Résidence du
Bailly and Résidence Vivaldi, 3F Notre Logis and the Roncq residence, Oise Habitat's and Sia
Habitat's portfolios) plus synthetic tenant households; each plugin then adds its offers and
households through ``register_demo_data``, with the helpers of ``DemoContext``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from core.bulk import insert_rows
from core.contract import DemoData
from core.models import (
    Activity,
    Household,
    MemberRole,
    Occupancy,
    Offer,
    OfferUnit,
    Organisation,
    OrganisationKind,
    Person,
    SchemeEnablement,
    Site,
    Typology,
    Unit,
)
from core.plugins import Registry

M = TypeVar("M", bound=SQLModel)

#: The demo's "today": occupancies are open-ended, so figures hold whenever the demo is queried.
DEMO_DATE = date(2026, 1, 1)

FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Jade",
    "Louise",
    "Emma",
    "Lina",
    "Lucas",
    "Hugo",
    "Nathan",
    "Enzo",
    "Louis",
    "Théo",
    "Yanis",
    "Mathis",
    "Adam",
    "Rayan",
    "Monique",
    "Jacqueline",
    "Michel",
    "Jean",
    "Christiane",
    "Bernard",
    "Odette",
    "Marcel",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
)


class DemoContext:
    """Helpers plugins use to add demo data: get-or-create, bulk inserts, seeded randomness."""

    def __init__(self, session: Session, registry: Registry, seed: int, households: int) -> None:
        self.session = session
        self.registry = registry
        self.rng = random.Random(seed)
        self.households = households
        self.today = DEMO_DATE
        self._next_ids: dict[str, int] = {}

    # -- identities ------------------------------------------------------------------------
    def organisation(self, name: str, kind: OrganisationKind, **values: Any) -> Organisation:
        """The organisation named ``name``, created if missing (it owns itself)."""
        org = self.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
        if org is not None:
            return org  # type: ignore[no-any-return]
        org = Organisation(name=name, kind=kind, **values)
        self.session.add(org)
        self.session.flush()
        org.owner_id = org.id
        self.session.flush()
        return org

    def enable(self, organisation: Organisation, scheme: str, on: date) -> None:
        """Enable ``scheme`` for the organisation from ``on`` (idempotent)."""
        found = self.session.execute(
            select(SchemeEnablement.id).where(
                SchemeEnablement.organisation_id == organisation.id,
                SchemeEnablement.scheme == scheme,
            )
        ).first()
        if found is None:
            assert organisation.id is not None
            self.session.add(
                SchemeEnablement(
                    owner_id=organisation.id,
                    organisation_id=organisation.id,
                    scheme=scheme,
                    enabled_on=on,
                )
            )
            self.session.flush()

    def site(self, owner: Organisation, name: str, commune: str, **values: Any) -> Site:
        """The site ``name`` of ``owner``, created if missing."""
        row = self.session.execute(
            select(Site).where(Site.owner_id == owner.id, Site.name == name)
        ).scalar_one_or_none()
        if row is None:
            assert owner.id is not None
            row = Site(owner_id=owner.id, name=name, commune=commune, **values)
            self.session.add(row)
            self.session.flush()
        return row

    def units(
        self,
        site: Site,
        typologies: Mapping[Typology, int],
        *,
        prefix: str = "",
        **values: Any,
    ) -> list[Unit]:
        """Units of ``site`` labelled ``prefix``…: created once (matching labels are reused)."""
        existing = list(
            self.session.execute(
                select(Unit)
                .where(Unit.site_id == site.id, Unit.label.startswith(prefix))  # type: ignore[attr-defined]
                .order_by(Unit.id)
            ).scalars()
        )
        if existing:
            return existing
        rows: list[dict[str, Any]] = []
        n = 0
        for typology, count in typologies.items():
            for _ in range(count):
                n += 1
                rows.append(
                    {
                        "owner_id": site.owner_id,
                        "site_id": site.id,
                        "label": f"{prefix}{n:03d}",
                        "typology": typology,
                        "floor": (n - 1) // 12,
                        "version": 1,
                        **values,
                    }
                )
        self.bulk(Unit, rows)
        return list(
            self.session.execute(
                select(Unit)
                .where(Unit.site_id == site.id, Unit.label.startswith(prefix))  # type: ignore[attr-defined]
                .order_by(Unit.id)
            ).scalars()
        )

    def offer(
        self,
        scheme: str,
        name: str,
        landlord: Organisation,
        manager: Organisation,
        start_date: date,
        *,
        site: Site | None = None,
        units: Sequence[Unit] = (),
        **values: Any,
    ) -> Offer:
        """The offer ``name``, created if missing, with its units attached; enables the scheme."""
        self.enable(landlord, scheme, start_date)
        if manager.id != landlord.id:
            self.enable(manager, scheme, start_date)
        row = self.session.execute(select(Offer).where(Offer.name == name)).scalar_one_or_none()
        if row is None:
            assert landlord.id is not None and manager.id is not None
            row = Offer(
                owner_id=landlord.id,
                scheme=scheme,
                name=name,
                landlord_id=landlord.id,
                manager_id=manager.id,
                site_id=site.id if site else None,
                start_date=start_date,
                **values,
            )
            self.session.add(row)
            self.session.flush()
            self.bulk(
                OfferUnit,
                [{"owner_id": landlord.id, "offer_id": row.id, "unit_id": u.id} for u in units],
            )
        return row

    # -- people ------------------------------------------------------------------------------
    def name(self) -> tuple[str, str]:
        """A random French first and last name (synthetic)."""
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def birth_date(self, age: int, at: date | None = None) -> date:
        """A birth date giving ``age`` completed years at ``at`` (default: the demo date)."""
        at = at or self.today
        return date(at.year - age - 1, 1, 1) + timedelta(days=self.rng.randrange(1, 365))

    def reserve_ids(self, model: type[SQLModel], n: int) -> list[int]:
        """``n`` fresh primary keys for a bulk insert (sequences are fixed up by ``finish``)."""
        table = str(model.__tablename__)
        start = self._next_ids.get(table)
        if start is None:
            start = (
                int(
                    self.session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one()  # type: ignore[attr-defined]
                )
                + 1
            )
        self._next_ids[table] = start + n
        return list(range(start, start + n))

    def bulk(self, model: type[SQLModel], rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert rows with ``core.bulk.insert_rows`` (COPY on PostgreSQL, no ORM unit of work); the count."""
        return insert_rows(self.session, model, rows)

    def households_with_members(
        self,
        owner: Organisation,
        specs: Sequence[Sequence[Mapping[str, Any]]],
        *,
        reference_prefix: str,
        created_on: date | None = None,
        confidential: Sequence[bool] | None = None,
    ) -> list[int]:
        """Bulk-create one household per spec (a list of member dicts); returns their ids.

        A member dict may give ``age`` (or ``birth_date``), ``role``, ``activity``,
        ``monthly_resources``, ``isolated``; names are generated.
        """
        ids = self.reserve_ids(Household, len(specs))
        pids = self.reserve_ids(Person, sum(len(s) for s in specs))
        households, persons = [], []
        it = iter(pids)
        for n, (hid, members) in enumerate(zip(ids, specs, strict=True)):
            households.append(
                {
                    "id": hid,
                    "owner_id": owner.id,
                    "reference": f"{reference_prefix}-{n + 1:05d}",
                    "confidential": bool(confidential[n]) if confidential else False,
                    "created_on": created_on or self.today,
                    "version": 1,
                }
            )
            for i, m in enumerate(members):
                first, last = self.name()
                birth = m.get("birth_date")
                if birth is None and m.get("age") is not None:
                    birth = self.birth_date(int(m["age"]))
                persons.append(
                    {
                        "id": next(it),
                        "owner_id": owner.id,
                        "household_id": hid,
                        "first_name": first,
                        "last_name": last,
                        "role": m.get("role", MemberRole.REFERENCE if i == 0 else MemberRole.OTHER),
                        "birth_date": birth,
                        "activity": m.get("activity"),
                        "monthly_resources": m.get("monthly_resources"),
                        "isolated": m.get("isolated"),
                        "version": 1,
                    }
                )
        self.bulk(Household, households)
        self.bulk(Person, persons)
        return ids

    def occupancies(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Bulk-create occupancies (household_id, unit_id, owner_id, start_date, …)."""
        return self.bulk(Occupancy, ({"version": 1, **r} for r in rows))

    def finish(self) -> None:
        """Advance PostgreSQL sequences past the ids given explicitly by bulk inserts."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for table in self._next_ids:
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )


def load_core_world(ctx: DemoContext) -> None:
    """The organisations, sites and units of the source texts, and synthetic tenant households."""
    clesence = ctx.organisation("Clésence", OrganisationKind.LANDLORD, department="02")
    ctx.organisation("Accueil & Promotion", OrganisationKind.ASSOCIATION, department="02")
    ctx.organisation("SIAO de l'Aisne", OrganisationKind.INSTITUTION, department="02")
    three_f = ctx.organisation("3F Notre Logis", OrganisationKind.LANDLORD, department="59")
    ctx.organisation("ISRAA", OrganisationKind.ASSOCIATION, department="59")
    oise = ctx.organisation("Oise Habitat", OrganisationKind.LANDLORD, department="60")
    ctx.organisation("Carsat Hauts-de-France", OrganisationKind.INSTITUTION, department="59")
    sia = ctx.organisation("Sia Habitat", OrganisationKind.LANDLORD, department="59")
    ctx.organisation("AJAR", OrganisationKind.ASSOCIATION, department="59")

    ctx.site(
        clesence,
        "Résidence du Bailly",
        "Chauny",
        postcode="02300",
        department="02",
        address="Rue du Bailly",
        opened_on=date(2019, 11, 14),
    )
    vivaldi = ctx.site(
        clesence,
        "Résidence Vivaldi",
        "Soissons",
        postcode="02200",
        department="02",
        in_priority_district=False,
    )
    # "38 T1, 2 T1 bis, 2 T2 et 1 T3": furnished, accessible to reduced mobility, lift to every floor.
    ctx.units(
        vivaldi,
        {Typology.T1: 38, Typology.T1_BIS: 2, Typology.T2: 2, Typology.T3: 1},
        prefix="V",
        furnished=True,
        accessible=True,
    )
    roncq = ctx.site(
        three_f,
        "Résidence HabiTED",
        "Roncq",
        postcode="59223",
        department="59",
        opened_on=date(2016, 1, 1),
    )
    # Ten T1 and one shared T4 for activities and the association's office hours; 498 € a tenant.
    ctx.units(roncq, {Typology.T1: 10}, prefix="R", monthly_rent=498.0, accessible=True)
    ctx.units(roncq, {Typology.T4: 1}, prefix="C", common=True)

    # Synthetic tenants of the landlords' ordinary stock, scaled by --households.
    for landlord, commune, dept, share in (
        (oise, "Beauvais", "60", 0.5),
        (sia, "Douai", "59", 0.5),
    ):
        n = max(1, int(ctx.households * share))
        estate = ctx.site(landlord, f"Patrimoine {commune}", commune, department=dept)
        units = ctx.units(estate, {Typology.T2: n // 2, Typology.T3: n - n // 2}, prefix="P")
        specs = [_synthetic_household(ctx) for _ in range(len(units))]
        ids = ctx.households_with_members(landlord, specs, reference_prefix=f"LOC-{dept}")
        ctx.occupancies(
            {
                "owner_id": landlord.id,
                "household_id": hid,
                "unit_id": u.id,
                "start_date": ctx.today - timedelta(days=ctx.rng.randrange(200, 8000)),
            }
            for hid, u in zip(ids, units, strict=True)
        )


def _synthetic_household(ctx: DemoContext) -> list[dict[str, Any]]:
    """A tenant household of one to four members with plausible ages and activities."""
    size = ctx.rng.choice((1, 1, 2, 2, 3, 4))
    # Heads and spouses stay under 60 so that no synthetic tenant turns 70 for a decade after the
    # demo date: programmes targeting older tenants count their own households exactly.
    head_age = ctx.rng.randrange(22, 60)
    members: list[dict[str, Any]] = [
        {
            "age": head_age,
            "role": MemberRole.REFERENCE,
            "activity": ctx.rng.choice(list(Activity)),
            "monthly_resources": float(ctx.rng.randrange(400, 2600)),
            "isolated": size == 1 and ctx.rng.random() < 0.4,
        }
    ]
    for i in range(1, size):
        members.append(
            {
                "age": ctx.rng.randrange(1, 18) if i > 1 else min(59, head_age + ctx.rng.randrange(-5, 5)),
                "role": MemberRole.CHILD if i > 1 else MemberRole.SPOUSE,
                "monthly_resources": 0.0 if i > 1 else float(ctx.rng.randrange(0, 1800)),
                "isolated": False,
            }
        )
    return members


def run_demo(
    session: Session,
    registry: Registry,
    *,
    seed: int = 42,
    households: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> DemoContext:
    """Load the core world then every plugin's demo data, in one transaction."""
    ctx = DemoContext(session, registry, seed, households)
    steps: list[tuple[str, Callable[[DemoContext], None]]] = [("core", load_core_world)]
    items: list[DemoData] = sorted(registry.demo, key=lambda d: (d.order, d.scheme))
    steps += [(d.scheme, d.load) for d in items]
    for name, load in steps:
        if progress:
            progress(name)
        load(ctx)
        session.flush()
    ctx.finish()
    return ctx
