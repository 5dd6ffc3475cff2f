"""Import of landlords' spreadsheets: units (with sites), households and members, occupancies, referrals.

A file is read whole, every row checked (each problem names its row, column and reason, in French),
then, when applied and only if no row is in error, written in one transaction with bulk statements
(SQLAlchemy Core): one bad row in 10,000 writes nothing, and an interrupted import leaves nothing.
Natural keys make a re-import update rather than duplicate: the national dwelling identifier (RNL)
for units, the landlord's reference for households, (household, unit, entry date) for occupancies,
(household, offer, proposal date) for referrals.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlmodel import Session

from core.dataio.tabular import (
    normalise,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    read_table,
    write_xlsx,
)
from core.models import (
    Activity,
    AuditEvent,
    ExitDestination,
    Household,
    MemberRole,
    Occupancy,
    Offer,
    Organisation,
    Person,
    Referral,
    ReferralDecision,
    Site,
    Typology,
    Unit,
)

Progress = Callable[[str, int, int], None]
CHUNK = 500


class ImportKind(enum.StrEnum):
    """What a file holds."""

    UNITS = "units"
    HOUSEHOLDS = "households"
    OCCUPANCIES = "occupancies"
    REFERRALS = "referrals"


KIND_LABELS = {
    ImportKind.UNITS: "logements",
    ImportKind.HOUSEHOLDS: "ménages",
    ImportKind.OCCUPANCIES: "occupations",
    ImportKind.REFERRALS: "orientations",
}


@dataclass(frozen=True)
class Column:
    """A column the importer understands: its key, French label, accepted headers, parser."""

    key: str
    label: str
    aliases: tuple[str, ...]
    parse: Callable[[str], Any] = str
    required: bool = False


@dataclass(frozen=True)
class RowError:
    """A problem with one cell or row: spreadsheet line (headers are line 1), column, reason."""

    row: int
    column: str | None
    code: str
    message: str

    def text(self) -> str:
        """The problem as one French sentence."""
        where = f"ligne {self.row}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


@dataclass
class ImportReport:
    """What an import found and did."""

    kind: ImportKind
    filename: str
    applied: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    lines: list[list[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No row in error."""
        return not self.errors

    def summary(self) -> str:
        """One French sentence for people."""
        what = KIND_LABELS[self.kind]
        if self.errors:
            bad = len({e.row for e in self.errors})
            return (
                f"{self.rows} lignes lues, {bad} en erreur ({len(self.errors)} problèmes) : "
                "rien n'a été enregistré. Corrigez le fichier puis relancez l'import."
            )
        verb = "enregistrés" if self.applied else "à enregistrer (essai à blanc : rien n'a été écrit)"
        counts = f"{self.created} créations, {self.updated} mises à jour"
        return f"{self.rows} lignes lues ({what}) : {counts}, {verb}."

    def annotated_xlsx(self) -> bytes:
        """The file as read, with an « Erreurs » column naming each row's problems."""
        notes: dict[int, list[str]] = {}
        for e in self.errors:
            if e.row >= 2:
                where = f"« {e.column} » : " if e.column else ""
                notes.setdefault(e.row - 2, []).append(where + e.message)
        general = [e.text() for e in self.errors if e.row < 2]
        rows = [list(r) for r in self.lines]
        joined = {i: " ; ".join(v) for i, v in notes.items()}
        if general:
            rows.insert(0, [""] * len(self.headers))
            joined = {i + 1: v for i, v in joined.items()}
            joined[0] = " ; ".join(general)
        return write_xlsx(self.headers, rows, notes=joined, title="Import")


def _enum(mapping: dict[str, Any], what: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        key = normalise(text)
        if key in mapping:
            return mapping[key]
        for word, value in mapping.items():
            if key.startswith(word + " "):
                return value
        raise ValueError(f"{what} inconnu(e) « {text} »")

    return parse


_TYPOLOGY = {
    "chambre": Typology.ROOM,
    "room": Typology.ROOM,
    "studio": Typology.T1,
    "t1": Typology.T1,
    "f1": Typology.T1,
    "t1 bis": Typology.T1_BIS,
    "t1bis": Typology.T1_BIS,
    "f1 bis": Typology.T1_BIS,
    "t1b": Typology.T1_BIS,
    "t2": Typology.T2,
    "f2": Typology.T2,
    "t3": Typology.T3,
    "f3": Typology.T3,
    "t4": Typology.T4,
    "f4": Typology.T4,
    **{f"{p}{n}": Typology.T5_PLUS for p in ("t", "f") for n in range(5, 10)},
    "t5 et plus": Typology.T5_PLUS,
}
_ROLE = {
    "titulaire": MemberRole.REFERENCE,
    "reference": MemberRole.REFERENCE,
    "demandeur": MemberRole.REFERENCE,
    "locataire": MemberRole.REFERENCE,
    "chef de famille": MemberRole.REFERENCE,
    "conjoint": MemberRole.SPOUSE,
    "conjointe": MemberRole.SPOUSE,
    "cotitulaire": MemberRole.SPOUSE,
    "co titulaire": MemberRole.SPOUSE,
    "epoux": MemberRole.SPOUSE,
    "epouse": MemberRole.SPOUSE,
    "enfant": MemberRole.CHILD,
    "autre": MemberRole.OTHER,
}
_ACTIVITY = {
    "salarie": Activity.EMPLOYED,
    "salariee": Activity.EMPLOYED,
    "emploi": Activity.EMPLOYED,
    "cdi": Activity.EMPLOYED,
    "cdd": Activity.EMPLOYED,
    "interim": Activity.EMPLOYED,
    "formation": Activity.TRAINING,
    "apprenti": Activity.APPRENTICESHIP,
    "apprentie": Activity.APPRENTICESHIP,
    "apprentissage": Activity.APPRENTICESHIP,
    "alternance": Activity.APPRENTICESHIP,
    "stage": Activity.INTERNSHIP,
    "stagiaire": Activity.INTERNSHIP,
    "demandeur d emploi": Activity.JOB_SEEKING,
    "chomage": Activity.JOB_SEEKING,
    "recherche d emploi": Activity.JOB_SEEKING,
    "etudiant": Activity.STUDENT,
    "etudiante": Activity.STUDENT,
    "retraite": Activity.RETIRED,
    "retraitee": Activity.RETIRED,
    "inactif": Activity.INACTIVE,
    "inactive": Activity.INACTIVE,
    "sans activite": Activity.INACTIVE,
}
_DESTINATION = {
    "logement social": ExitDestination.SOCIAL_RENTAL,
    "parc social": ExitDestination.SOCIAL_RENTAL,
    "logement prive": ExitDestination.PRIVATE_RENTAL,
    "parc prive": ExitDestination.PRIVATE_RENTAL,
    "accession": ExitDestination.HOME_OWNERSHIP,
    "proprietaire": ExitDestination.HOME_OWNERSHIP,
    "logement accompagne": ExitDestination.SUPPORTED_HOUSING,
    "famille": ExitDestination.FAMILY_OR_FRIENDS,
    "hebergement famille amis": ExitDestination.FAMILY_OR_FRIENDS,
    "hebergement d urgence": ExitDestination.SHELTER,
    "foyer": ExitDestination.SHELTER,
    "etablissement": ExitDestination.CARE_INSTITUTION,
    "ehpad": ExitDestination.CARE_INSTITUTION,
    "rue": ExitDestination.STREET,
    "deces": ExitDestination.DECEASED,
    "autre": ExitDestination.OTHER,
    "inconnue": ExitDestination.UNKNOWN,
    "inconnu": ExitDestination.UNKNOWN,
    **{d.value.replace("_", " "): d for d in ExitDestination},
}
_DECISION = {
    "en attente": ReferralDecision.PENDING,
    "en cours": ReferralDecision.PENDING,
    "admis": ReferralDecision.ADMITTED,
    "admise": ReferralDecision.ADMITTED,
    "accepte": ReferralDecision.ADMITTED,
    "acceptee": ReferralDecision.ADMITTED,
    "refuse": ReferralDecision.REFUSED,
    "refusee": ReferralDecision.REFUSED,
    "retire": ReferralDecision.WITHDRAWN,
    "retiree": ReferralDecision.WITHDRAWN,
    "abandon": ReferralDecision.WITHDRAWN,
}


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"au plus {limit} caractères")
        return text

    return parse


_RNL = Column(
    "national_id",
    "N° RNL",
    (
        "rnl",
        "n rnl",
        "no rnl",
        "num rnl",
        "numero rnl",
        "identifiant rnl",
        "id rnl",
        "code rnl",
        "identifiant national du logement",
        "identifiant national logement",
        "numero national du logement",
    ),
    _text(40),
    required=True,
)
_HOUSEHOLD_REF = Column(
    "reference",
    "Référence ménage",
    (
        "reference menage",
        "ref menage",
        "n menage",
        "no menage",
        "numero menage",
        "identifiant menage",
        "code menage",
        "menage",
        "reference locataire",
        "n locataire",
        "numero locataire",
        "code locataire",
        "reference",
        "n dossier",
        "numero dossier",
    ),
    _text(60),
    required=True,
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.UNITS: (
        _RNL,
        Column(
            "site",
            "Résidence",
            (
                "residence",
                "nom de la residence",
                "nom residence",
                "site",
                "programme",
                "groupe",
                "batiment",
                "ensemble immobilier",
            ),
            _text(200),
            required=True,
        ),
        Column("commune", "Commune", ("commune", "ville", "localite"), _text(120), required=True),
        Column("postcode", "Code postal", ("code postal", "cp"), _text(5)),
        Column("address", "Adresse", ("adresse", "adresse du logement", "adresse postale"), _text(300)),
        Column("department", "Département", ("departement", "dept", "dep"), _text(3)),
        Column("in_priority_district", "QPV", ("qpv", "quartier prioritaire", "en qpv"), parse_bool),
        Column(
            "label",
            "Logement",
            (
                "logement",
                "numero de logement",
                "n logement",
                "no logement",
                "reference logement",
                "ref logement",
                "libelle",
                "porte",
            ),
            _text(60),
        ),
        Column(
            "typology",
            "Typologie",
            ("typologie", "type", "typo", "type de logement"),
            _enum(_TYPOLOGY, "typologie"),
            required=True,
        ),
        Column(
            "surface_m2",
            "Surface",
            ("surface", "surface habitable", "surface m2", "shab", "surface m"),
            parse_decimal,
        ),
        Column("floor", "Étage", ("etage", "niveau"), parse_int),
        Column("furnished", "Meublé", ("meuble", "logement meuble"), parse_bool),
        Column(
            "accessible",
            "Accessible PMR",
            ("pmr", "accessible pmr", "accessible", "accessibilite", "accessibilite pmr"),
            parse_bool,
        ),
        Column("common", "Partagé", ("partage", "commun", "colocation"), parse_bool),
        Column(
            "monthly_rent",
            "Loyer",
            ("loyer", "loyer mensuel", "loyer principal", "loyer hors charges"),
            parse_decimal,
        ),
    ),
    ImportKind.HOUSEHOLDS: (
        _HOUSEHOLD_REF,
        Column("last_name", "Nom", ("nom", "nom de famille", "nom usuel"), _text(100), required=True),
        Column("first_name", "Prénom", ("prenom",), _text(100), required=True),
        Column(
            "birth_date",
            "Date de naissance",
            ("date de naissance", "naissance", "ne le", "ne e le", "date naissance"),
            parse_date,
        ),
        Column(
            "role",
            "Lien",
            ("lien", "role", "qualite", "lien de parente", "lien avec le titulaire"),
            _enum(_ROLE, "lien"),
        ),
        Column(
            "activity",
            "Situation",
            ("situation", "activite", "situation professionnelle", "situation d activite"),
            _enum(_ACTIVITY, "situation"),
        ),
        Column(
            "monthly_resources",
            "Ressources mensuelles",
            ("ressources", "ressources mensuelles", "revenus", "revenus mensuels"),
            parse_decimal,
        ),
        Column(
            "created_on", "Date de création", ("date de creation", "cree le", "date d ouverture"), parse_date
        ),
    ),
    ImportKind.OCCUPANCIES: (
        _HOUSEHOLD_REF,
        _RNL,
        Column(
            "start_date",
            "Date d'entrée",
            (
                "date d entree",
                "entree",
                "date entree",
                "entre le",
                "date d entree dans les lieux",
                "debut du bail",
            ),
            parse_date,
            required=True,
        ),
        Column(
            "end_date",
            "Date de sortie",
            ("date de sortie", "sortie", "date sortie", "fin du bail"),
            parse_date,
        ),
        Column("exit_reason", "Motif de sortie", ("motif de sortie", "motif sortie", "motif"), _text(200)),
        Column(
            "exit_destination",
            "Destination",
            ("destination", "destination a la sortie", "orientation"),
            _enum(_DESTINATION, "destination"),
        ),
        Column("offer", "Offre", ("offre", "dispositif"), _text(200)),
    ),
    ImportKind.REFERRALS: (
        _HOUSEHOLD_REF,
        Column("offer", "Offre", ("offre", "dispositif"), _text(200), required=True),
        Column(
            "proposed_on",
            "Date d'orientation",
            ("date d orientation", "date de proposition", "date de candidature", "propose le", "date"),
            parse_date,
            required=True,
        ),
        Column("decision", "Décision", ("decision", "statut", "etat"), _enum(_DECISION, "décision")),
        Column("decided_on", "Date de décision", ("date de decision", "decide le"), parse_date),
        Column("reason", "Motif", ("motif", "motif de la decision", "commentaire"), _text(300)),
    ),
}


def guess_kind(headers: Sequence[str]) -> ImportKind | None:
    """The kind whose required columns the headers match best (None if none fits)."""
    best, score = None, 0
    for kind in ImportKind:
        mapping = match_columns(kind, headers)
        required = [c for c in COLUMNS[kind] if c.required]
        if all(c.key in mapping for c in required):
            found = len(mapping) + 10 * len(required)
            if found > score:
                best, score = kind, found
    return best


def match_columns(kind: ImportKind, headers: Sequence[str]) -> dict[str, int]:
    """Column key → index in the file, for the headers recognised (first match wins)."""
    found: dict[str, int] = {}
    keys = [normalise(h) for h in headers]
    for col in COLUMNS[kind]:
        for alias in col.aliases:
            if alias in keys and keys.index(alias) not in found.values():
                found[col.key] = keys.index(alias)
                break
    return found


@dataclass
class _Parsed:
    line: int
    values: dict[str, Any]


def _parse(report: ImportReport, progress: Progress | None) -> list[_Parsed]:
    cols = {c.key: c for c in COLUMNS[report.kind]}
    mapping = match_columns(report.kind, report.headers)
    for c in cols.values():
        if c.required and c.key not in mapping:
            accepted = ", ".join(f"« {a} »" for a in c.aliases[:4])
            report.errors.append(
                RowError(
                    1,
                    c.label,
                    "MISSING_COLUMN",
                    f"colonne obligatoire absente (en-têtes acceptés : {accepted}…)",
                )
            )
    if report.errors:
        return []
    parsed: list[_Parsed] = []
    total = len(report.lines)
    for n, raw in enumerate(report.lines):
        line = n + 2
        values: dict[str, Any] = {}
        for key, index in mapping.items():
            col, text = cols[key], (raw[index] if index < len(raw) else "").strip()
            header = report.headers[index]
            if not text:
                if col.required:
                    report.errors.append(RowError(line, header, "REQUIRED", "valeur obligatoire manquante"))
                continue
            try:
                values[key] = col.parse(text)
            except ValueError as exc:
                report.errors.append(RowError(line, header, "INVALID", str(exc)))
        parsed.append(_Parsed(line, values))
        if progress and n % 500 == 0:
            progress("lecture", n, total)
    return parsed


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _lookup(
    session: Session, key_col: Any, cols: Sequence[Any], where: Any, keys: Sequence[Any]
) -> dict[Any, Any]:
    """Existing rows by key, fetched in chunks: key → row tuple."""
    out: dict[Any, Any] = {}
    for part in _chunks(sorted(set(keys))):
        for row in session.execute(select(key_col, *cols).where(where, key_col.in_(part))):
            out[row[0]] = row
    return out


def _col_of(report: ImportReport, key: str) -> str | None:
    index = match_columns(report.kind, report.headers).get(key)
    return None if index is None else report.headers[index]


class _Writer:
    """Computes the rows to insert and update for one kind, then writes them."""

    def __init__(self, session: Session, org: int, report: ImportReport, today: date) -> None:
        self.session, self.org, self.report, self.today = session, org, report, today
        self.inserts: list[tuple[Any, list[dict[str, Any]]]] = []
        self.updates: list[tuple[Any, list[dict[str, Any]]]] = []

    def error(self, line: int, key: str, code: str, message: str) -> None:
        self.report.errors.append(RowError(line, _col_of(self.report, key), code, message))

    def duplicates(self, rows: list[_Parsed], key: Callable[[dict[str, Any]], Any], column: str) -> None:
        seen: dict[Any, int] = {}
        for r in rows:
            k = key(r.values)
            if k in seen:
                self.error(r.line, column, "DUPLICATE", f"même clé qu'à la ligne {seen[k]}")
            else:
                seen[k] = r.line

    def households(self, refs: Sequence[str]) -> dict[str, int]:
        found = _lookup(
            self.session, Household.reference, [Household.id], Household.owner_id == self.org, refs
        )
        return {k: v[1] for k, v in found.items()}

    def units(self, rows: list[_Parsed]) -> None:
        rows = [r for r in rows if "national_id" in r.values]
        self.duplicates(rows, lambda v: v["national_id"], "national_id")
        existing = _lookup(
            self.session,
            Unit.national_id,
            [Unit.id, Unit.site_id],
            Unit.owner_id == self.org,
            [r.values["national_id"] for r in rows],
        )
        sites = {
            (name, commune): sid
            for sid, name, commune in self.session.execute(
                select(Site.id, Site.name, Site.commune).where(Site.owner_id == self.org)
            )
        }
        new_sites: dict[tuple[Any, Any], dict[str, Any]] = {}
        site_fields = ("address", "postcode", "department", "in_priority_district")
        for r in rows:
            v = r.values
            key = (v.get("site"), v.get("commune"))
            if key not in sites and key not in new_sites and None not in key:
                new_sites[key] = {
                    "owner_id": self.org,
                    "name": key[0],
                    "commune": key[1],
                    "version": 1,
                    "in_priority_district": False,
                } | {f: v[f] for f in site_fields if f in v}
        self.sites, self.new_sites = sites, new_sites
        created, updated = [], []
        unit_fields = (
            "label",
            "typology",
            "surface_m2",
            "floor",
            "furnished",
            "accessible",
            "common",
            "monthly_rent",
        )
        for r in rows:
            v = r.values
            values = {f: v[f] for f in unit_fields if f in v}
            values["site"] = (v.get("site"), v.get("commune"))
            if v["national_id"] in existing:
                updated.append({"id": existing[v["national_id"]][1], **values})
            else:
                created.append(
                    {
                        "owner_id": self.org,
                        "national_id": v["national_id"],
                        "version": 1,
                        "label": v.get("label") or v["national_id"],
                        "furnished": False,
                        "accessible": False,
                        "common": False,
                        **values,
                    }
                )
        self.report.created, self.report.updated = len(created), len(updated)
        self.unit_rows = (created, updated)

    def write_units(self) -> None:
        if self.new_sites:
            self.session.execute(insert(Site), list(self.new_sites.values()))
            for sid, name, commune in self.session.execute(
                select(Site.id, Site.name, Site.commune).where(Site.owner_id == self.org)
            ):
                self.sites[(name, commune)] = sid
        created, updated = self.unit_rows
        for row in (*created, *updated):
            row["site_id"] = self.sites[row.pop("site")]
        if created:
            self.session.execute(insert(Unit), created)
        if updated:
            self.session.execute(update(Unit), updated)

    def members(self, rows: list[_Parsed]) -> None:
        rows = [r for r in rows if "reference" in r.values]
        households = self.households([r.values["reference"] for r in rows])
        by_ref: dict[str, list[_Parsed]] = {}
        for r in rows:
            by_ref.setdefault(r.values["reference"], []).append(r)

        def who(v: dict[str, Any]) -> tuple[str, str, str]:
            return (v["reference"], normalise(v.get("last_name", "")), normalise(v.get("first_name", "")))

        self.duplicates(rows, who, "first_name")
        people: dict[tuple[int, str, str], int] = {}
        for part in _chunks(list(households.values())):
            for pid, hid, last, first in self.session.execute(
                select(Person.id, Person.household_id, Person.last_name, Person.first_name).where(
                    Person.household_id.in_(part)
                )
            ):
                people[(hid, normalise(last), normalise(first))] = pid
        self.new_households = [
            {
                "owner_id": self.org,
                "reference": ref,
                "confidential": False,
                "version": 1,
                "created_on": min(
                    (r.values.get("created_on") or self.today for r in group), default=self.today
                ),
            }
            for ref, group in by_ref.items()
            if ref not in households
        ]
        created, updated = [], []
        fields = ("first_name", "last_name", "birth_date", "role", "activity", "monthly_resources")
        for r in rows:
            v = r.values
            values = {f: v[f] for f in fields if f in v}
            hid = households.get(v["reference"])
            pid = None if hid is None else people.get((hid, *who(v)[1:]))
            if pid is None:
                created.append(
                    {
                        "owner_id": self.org,
                        "reference": v["reference"],
                        "version": 1,
                        "role": MemberRole.REFERENCE,
                        **values,
                    }
                )
            else:
                updated.append({"id": pid, **values})
        self.person_rows = (created, updated)
        self.report.created = len(self.new_households)
        self.report.updated = len({r.values["reference"] for r in rows} & set(households))

    def write_members(self) -> None:
        if self.new_households:
            self.session.execute(insert(Household), self.new_households)
        created, updated = self.person_rows
        households = self.households([p["reference"] for p in created])
        for p in created:
            p["household_id"] = households[p.pop("reference")]
        if created:
            self.session.execute(insert(Person), created)
        if updated:
            self.session.execute(update(Person), updated)

    def _units_by_rnl(self, rnls: Sequence[str]) -> dict[str, int]:
        found = _lookup(self.session, Unit.national_id, [Unit.id], Unit.owner_id == self.org, rnls)
        return {k: v[1] for k, v in found.items()}

    def _offers(self) -> dict[str, int]:
        rows = self.session.execute(
            select(Offer.name, Offer.id).where(
                or_(Offer.landlord_id == self.org, Offer.manager_id == self.org)
            )
        )
        return {normalise(name): oid for name, oid in rows}

    def _resolve(self, rows: list[_Parsed], need_unit: bool, offer_required: bool) -> list[_Parsed]:
        households = self.households([r.values["reference"] for r in rows if "reference" in r.values])
        units = self._units_by_rnl([r.values["national_id"] for r in rows if "national_id" in r.values])
        offers = self._offers()
        good = []
        for r in rows:
            v, ok = r.values, True
            if "reference" in v:
                if v["reference"] not in households:
                    self.error(
                        r.line,
                        "reference",
                        "NOT_FOUND",
                        f"ménage « {v['reference']} » inconnu : importez d'abord les ménages",
                    )
                    ok = False
                else:
                    v["household_id"] = households[v["reference"]]
            else:
                ok = False
            if need_unit:
                if "national_id" in v and v["national_id"] not in units:
                    self.error(
                        r.line,
                        "national_id",
                        "NOT_FOUND",
                        f"logement « {v['national_id']} » inconnu : importez d'abord les logements",
                    )
                    ok = False
                elif "national_id" in v:
                    v["unit_id"] = units[v["national_id"]]
                else:
                    ok = False
            if "offer" in v:
                oid = offers.get(normalise(v["offer"]))
                if oid is None:
                    self.error(
                        r.line,
                        "offer",
                        "NOT_FOUND",
                        f"offre « {v['offer']} » inconnue pour votre organisation",
                    )
                    ok = False
                v["offer_id"] = oid
            elif offer_required:
                ok = False
            if ok:
                good.append(r)
        return good

    def occupancies(self, rows: list[_Parsed]) -> None:
        good = self._resolve(rows, need_unit=True, offer_required=False)
        for r in good:
            v = r.values
            if "end_date" in v and "start_date" in v and v["end_date"] < v["start_date"]:
                self.error(r.line, "end_date", "DATE_ORDER", "la date de sortie précède la date d'entrée")
        good = [r for r in good if "start_date" in r.values]
        self.duplicates(good, lambda v: (v["household_id"], v["unit_id"], v["start_date"]), "start_date")
        existing: dict[tuple[int, int, date], int] = {}
        for part in _chunks(sorted({r.values["household_id"] for r in good})):
            for oid, hid, uid, start in self.session.execute(
                select(Occupancy.id, Occupancy.household_id, Occupancy.unit_id, Occupancy.start_date).where(
                    Occupancy.household_id.in_(part)
                )
            ):
                existing[(hid, uid, start)] = oid
        fields = (
            "household_id",
            "unit_id",
            "offer_id",
            "start_date",
            "end_date",
            "exit_reason",
            "exit_destination",
        )
        self._split(
            Occupancy, good, existing, lambda v: (v["household_id"], v["unit_id"], v["start_date"]), fields
        )

    def referrals(self, rows: list[_Parsed]) -> None:
        good = self._resolve(rows, need_unit=False, offer_required=True)
        good = [r for r in good if "proposed_on" in r.values]
        for r in good:
            v = r.values
            if "decided_on" in v and v["decided_on"] < v["proposed_on"]:
                self.error(
                    r.line, "decided_on", "DATE_ORDER", "la date de décision précède la date d'orientation"
                )
        self.duplicates(good, lambda v: (v["household_id"], v["offer_id"], v["proposed_on"]), "proposed_on")
        existing: dict[tuple[int, int, date], int] = {}
        for part in _chunks(sorted({r.values["household_id"] for r in good})):
            for rid, hid, oid, on in self.session.execute(
                select(Referral.id, Referral.household_id, Referral.offer_id, Referral.proposed_on).where(
                    Referral.household_id.in_(part)
                )
            ):
                existing[(hid, oid, on)] = rid
        for r in good:
            r.values.setdefault("proposer_id", self.org)
        fields = (
            "household_id",
            "offer_id",
            "proposer_id",
            "proposed_on",
            "decision",
            "decided_on",
            "reason",
        )
        self._split(
            Referral, good, existing, lambda v: (v["household_id"], v["offer_id"], v["proposed_on"]), fields
        )

    def _split(
        self,
        model: Any,
        rows: list[_Parsed],
        existing: dict[Any, int],
        key: Callable[[dict[str, Any]], Any],
        fields: Sequence[str],
    ) -> None:
        created, updated = [], []
        for r in rows:
            values = {f: r.values[f] for f in fields if f in r.values}
            found = existing.get(key(r.values))
            if found is None:
                created.append({"owner_id": self.org, "version": 1, **values})
            else:
                updated.append({"id": found, **values})
        self.report.created, self.report.updated = len(created), len(updated)
        if created:
            self.inserts.append((model, created))
        if updated:
            self.updates.append((model, updated))

    def write_simple(self) -> None:
        for model, rows in self.inserts:
            for part in _chunks(rows):
                self.session.execute(insert(model), list(part))
        for model, rows in self.updates:
            self.session.execute(update(model), rows)


def run_import(
    session: Session,
    organisation_id: int,
    filename: str,
    content: bytes,
    *,
    kind: ImportKind | None = None,
    apply: bool = False,
    actor: str = "cli",
    actor_organisation_id: int | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check a file and, with ``apply`` and no error, write it in one transaction (commit included)."""
    from core.dataio.tabular import TableError

    today = today or date.today()
    try:
        headers, lines = read_table(filename, content)
    except TableError as exc:
        report = ImportReport(kind or ImportKind.UNITS, filename)
        report.errors.append(RowError(1, None, "UNREADABLE", str(exc)))
        return report
    chosen = kind or guess_kind(headers)
    report = ImportReport(chosen or ImportKind.UNITS, filename, headers=headers, lines=lines, rows=len(lines))
    if chosen is None:
        report.errors.append(
            RowError(
                1, None, "UNKNOWN_KIND", "type de fichier non reconnu d'après les en-têtes : précisez-le"
            )
        )
        return report
    if session.get(Organisation, organisation_id) is None:
        report.errors.append(RowError(1, None, "NOT_FOUND", "organisation introuvable"))
        return report
    parsed = _parse(report, progress)
    if report.errors and not parsed:
        return report
    writer = _Writer(session, organisation_id, report, today)
    step = {
        ImportKind.UNITS: (writer.units, writer.write_units),
        ImportKind.HOUSEHOLDS: (writer.members, writer.write_members),
        ImportKind.OCCUPANCIES: (writer.occupancies, writer.write_simple),
        ImportKind.REFERRALS: (writer.referrals, writer.write_simple),
    }[chosen]
    step[0](parsed)
    report.errors.sort(key=lambda e: (e.row, e.column or ""))
    if report.errors or not apply:
        session.rollback()
        return report
    if progress:
        progress("écriture", 0, 1)
    try:
        step[1]()
        session.execute(
            insert(AuditEvent),
            [
                {
                    "owner_id": organisation_id,
                    "at": datetime.now(UTC),
                    "actor": actor,
                    "actor_organisation_id": actor_organisation_id,
                    "action": "import",
                    "object_type": chosen.value,
                    "object_id": None,
                    "household_id": None,
                    "field": None,
                    "details": {
                        "file": filename,
                        "rows": report.rows,
                        "created": report.created,
                        "updated": report.updated,
                    },
                }
            ],
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    report.applied = True
    if progress:
        progress("écriture", 1, 1)
    return report
