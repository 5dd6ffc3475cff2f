"""Import of landlords' spreadsheets: units (with sites), households and members, occupancies,
referrals and support episodes.

A file is read whole, every row checked (each problem names its line, column and reason, in
French), then, when applied and only if no row is in error, written in one transaction with bulk
statements (SQLAlchemy Core, ``INSERT … RETURNING`` in batches): one bad row in 10,000 writes
nothing, and an interrupted import leaves nothing. Natural keys make a re-import update rather than
duplicate: the national dwelling identifier (RNL) for units, the landlord's reference for
households, (household, unit, entry date) for occupancies, (household, offer, proposal date) for
referrals, (household, supporting organisation, start date) for support episodes. Only the columns
whose value changed are updated (and the row's ``version`` bumped); every row created or updated
gets its own audit event naming the columns written, never their values.

Headers are matched forgivingly (case, accents, punctuation, abbreviations, common synonyms, a
title line above them); what is still not recognised can be mapped explicitly (``--map``,
``columns``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, text, update
from sqlmodel import Session

from core.dataio.tabular import (
    TableError,
    normalise,
    parse_amount,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    read_lines,
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
    Partnership,
    Person,
    Referral,
    ReferralDecision,
    Site,
    SupportEpisode,
    Typology,
    Unit,
)

Progress = Callable[[str, int, int], None]
#: Rows per statement when looking rows up and writing them (bounded memory, progress steps).
CHUNK = 1000
#: Lines searched for the headers (title lines above them are skipped).
HEADER_SEARCH = 10


class ImportKind(enum.StrEnum):
    """What a file holds."""

    UNITS = "units"
    HOUSEHOLDS = "households"
    OCCUPANCIES = "occupancies"
    REFERRALS = "referrals"
    SUPPORT_EPISODES = "support_episodes"


KIND_LABELS = {
    ImportKind.UNITS: "logements",
    ImportKind.HOUSEHOLDS: "ménages",
    ImportKind.OCCUPANCIES: "occupations",
    ImportKind.REFERRALS: "orientations",
    ImportKind.SUPPORT_EPISODES: "accompagnements",
}


@dataclass(frozen=True)
class Column:
    """A column the importer understands: its key, French label, accepted headers, parser.

    ``fallback`` headers are used only when a required column has no better match (e.g. a
    « Code logement » stands for the RNL when the file has no RNL column).
    """

    key: str
    label: str
    aliases: tuple[str, ...]
    parse: Callable[[str], Any] = str
    required: bool = False
    fallback: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowError:
    """A problem with one cell or row: spreadsheet line (as the landlord sees it), column, reason."""

    row: int
    column: str | None
    code: str
    message: str
    index: int | None = field(default=None, compare=False)  # column position, to highlight the cell

    def text(self) -> str:
        """The problem as one French sentence."""
        where = f"ligne {self.row}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


@dataclass(frozen=True)
class ColumnMatch:
    """A header of the file and the field it was read as."""

    header: str
    index: int
    key: str
    label: str
    how: str  # "en-tête", "rapproché", "correspondance" (explicit), "repli"


@dataclass
class ImportReport:
    """What an import found and did."""

    kind: ImportKind
    filename: str
    applied: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    header_line: int = 1
    lines: list[list[str]] = field(default_factory=list)  # every line of the file, blank ones too
    columns: list[ColumnMatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No row in error."""
        return not self.errors

    def summary(self) -> str:
        """One French sentence for people."""
        what = KIND_LABELS[self.kind]
        if self.errors:
            bad = len({e.row for e in self.errors if e.row > self.header_line})
            general = len([e for e in self.errors if e.row <= self.header_line])
            problems = f"{len(self.errors)} problème" + ("s" if len(self.errors) > 1 else "")
            head = f"{self.rows} lignes lues ({what}), {bad} en erreur ({problems}"
            head += f", dont {general} sur les en-têtes" if general else ""
            return head + ") : rien n'a été enregistré. Corrigez le fichier puis relancez l'import."
        if not self.created and not self.updated:
            done = "rien n'a été modifié" if self.applied else "rien ne serait modifié (essai à blanc)"
            return f"{self.rows} lignes lues ({what}) : toutes déjà à jour, {done}."
        verb = "enregistrés" if self.applied else "à enregistrer (essai à blanc : rien n'a été écrit)"
        counts = f"{self.created} créations, {self.updated} mises à jour, {self.unchanged} inchangées"
        return f"{self.rows} lignes lues ({what}) : {counts}, {verb}."

    def annotated_xlsx(self) -> bytes:
        """The file as read, line for line, with an « Erreurs » column; a « Problèmes » sheet lists all."""
        from io import BytesIO

        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        book = Workbook(write_only=True)  # streamed: tens of thousands of lines stay fast
        sheet = book.create_sheet("Import")
        sheet.freeze_panes = f"A{self.header_line + 1}"
        width = max([len(self.headers), *(len(line) for line in self.lines)], default=0)
        notes: dict[int, list[str]] = {}
        cells: dict[int, set[int]] = {}
        for e in self.errors:
            if e.row > self.header_line:
                notes.setdefault(e.row, []).append((f"« {e.column} » : " if e.column else "") + e.message)
                if e.index is not None:
                    cells.setdefault(e.row, set()).add(e.index)
        general = [e.text() for e in self.errors if e.row <= self.header_line]
        red, dark = PatternFill("solid", fgColor="FFC7CE"), PatternFill("solid", fgColor="FF8A8A")
        bold = Font(bold=True)

        def styled(value: Any, **style: Any) -> WriteOnlyCell:
            cell = WriteOnlyCell(sheet, value=value)
            for name, v in style.items():
                setattr(cell, name, v)
            return cell

        for n, line in enumerate(self.lines, start=1):
            values: list[Any] = [*line, *[""] * (width - len(line))]
            if n == self.header_line:
                sheet.append([styled(v, font=bold) for v in [*values, "Erreurs"]])
            elif n in notes:
                marked = cells.get(n, set())
                row = [styled(v, fill=dark if i in marked else red) for i, v in enumerate(values)]
                sheet.append([*row, styled(" ; ".join(notes[n]), fill=red)])
            else:
                sheet.append(values)
        problems = book.create_sheet("Problèmes")
        problems.append([styled(v, font=bold) for v in ("Ligne", "Colonne", "Code", "Problème")])
        for sentence in general:
            problems.append([self.header_line, "", "EN-TÊTES", sentence])
        for e in self.errors:
            if e.row > self.header_line:
                problems.append([e.row, e.column or "", e.code, e.message])
        out = BytesIO()
        book.save(out)
        return out.getvalue()


# -- value parsers --------------------------------------------------------------------------------
def _enum(mapping: dict[str, Any], what: str, accepted: str = "") -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        key = normalise(text)
        if key in mapping:
            return mapping[key]
        for word, value in mapping.items():
            if key.startswith(word + " "):
                return value
        hint = f" (valeurs acceptées : {accepted})" if accepted else ""
        raise ValueError(f"{what} inconnu(e) « {text} »{hint}")

    return parse


_TYPOLOGY = {
    "chambre": Typology.ROOM,
    "room": Typology.ROOM,
    "studio": Typology.T1,
    "t1 bis": Typology.T1_BIS,
    "t1bis": Typology.T1_BIS,
    "t1b": Typology.T1_BIS,
    "t1 b": Typology.T1_BIS,
    "t5 et plus": Typology.T5_PLUS,
    "t5 et": Typology.T5_PLUS,
}
_NUMBERED = (Typology.T1, Typology.T1, Typology.T2, Typology.T3, Typology.T4)


def parse_typology(text: str) -> Typology:
    """A typology: ``T2``, ``F2``, ``Type 2``, ``2 pièces``, ``T1 bis``, ``T5+``, ``Studio``, ``Chambre``."""
    key = normalise(text)
    if key in _TYPOLOGY:
        return _TYPOLOGY[key]
    m = re.fullmatch(r"(?:t|f|type|typ)\s*(\d{1,2})(\s*(?:bis|b))?(?:\s.*)?", key) or re.fullmatch(
        r"(\d{1,2})\s*(?:p|pieces?|pces?)(\s*bis)?", key
    )
    if m:
        rooms = int(m.group(1))
        if rooms == 1 and m.group(2):
            return Typology.T1_BIS
        if 1 <= rooms <= 4:
            return _NUMBERED[rooms]
        if rooms >= 5:
            return Typology.T5_PLUS
    raise ValueError(
        f"typologie inconnue « {text} » (valeurs acceptées : Chambre, Studio, T1, T1 bis, T2 … T5+, F2, "
        "Type 2, 2 pièces)"
    )


_ROLE = {
    "titulaire": MemberRole.REFERENCE,
    "reference": MemberRole.REFERENCE,
    "demandeur": MemberRole.REFERENCE,
    "locataire": MemberRole.REFERENCE,
    "chef de famille": MemberRole.REFERENCE,
    "signataire": MemberRole.REFERENCE,
    "conjoint": MemberRole.SPOUSE,
    "conjointe": MemberRole.SPOUSE,
    "cotitulaire": MemberRole.SPOUSE,
    "co titulaire": MemberRole.SPOUSE,
    "colocataire": MemberRole.SPOUSE,
    "co locataire": MemberRole.SPOUSE,
    "concubin": MemberRole.SPOUSE,
    "concubine": MemberRole.SPOUSE,
    "pacse": MemberRole.SPOUSE,
    "pacsee": MemberRole.SPOUSE,
    "epoux": MemberRole.SPOUSE,
    "epouse": MemberRole.SPOUSE,
    "enfant": MemberRole.CHILD,
    "fils": MemberRole.CHILD,
    "fille": MemberRole.CHILD,
    "autre": MemberRole.OTHER,
    "ascendant": MemberRole.OTHER,
    "parent": MemberRole.OTHER,
    "hebergee": MemberRole.OTHER,
    "heberge": MemberRole.OTHER,
}
_ACTIVITY = {
    "salarie": Activity.EMPLOYED,
    "salariee": Activity.EMPLOYED,
    "emploi": Activity.EMPLOYED,
    "en emploi": Activity.EMPLOYED,
    "actif": Activity.EMPLOYED,
    "active": Activity.EMPLOYED,
    "cdi": Activity.EMPLOYED,
    "cdd": Activity.EMPLOYED,
    "interim": Activity.EMPLOYED,
    "interimaire": Activity.EMPLOYED,
    "independant": Activity.EMPLOYED,
    "independante": Activity.EMPLOYED,
    "formation": Activity.TRAINING,
    "en formation": Activity.TRAINING,
    "apprenti": Activity.APPRENTICESHIP,
    "apprentie": Activity.APPRENTICESHIP,
    "apprentissage": Activity.APPRENTICESHIP,
    "alternance": Activity.APPRENTICESHIP,
    "alternant": Activity.APPRENTICESHIP,
    "alternante": Activity.APPRENTICESHIP,
    "stage": Activity.INTERNSHIP,
    "stagiaire": Activity.INTERNSHIP,
    "demandeur d emploi": Activity.JOB_SEEKING,
    "demandeuse d emploi": Activity.JOB_SEEKING,
    "chomage": Activity.JOB_SEEKING,
    "chomeur": Activity.JOB_SEEKING,
    "recherche d emploi": Activity.JOB_SEEKING,
    "etudiant": Activity.STUDENT,
    "etudiante": Activity.STUDENT,
    "scolaire": Activity.STUDENT,
    "scolarise": Activity.STUDENT,
    "scolarisee": Activity.STUDENT,
    "retraite": Activity.RETIRED,
    "retraitee": Activity.RETIRED,
    "inactif": Activity.INACTIVE,
    "inactive": Activity.INACTIVE,
    "sans activite": Activity.INACTIVE,
    "sans emploi": Activity.INACTIVE,
    "au foyer": Activity.INACTIVE,
    "invalidite": Activity.INACTIVE,
}
_DESTINATION = {
    "logement social": ExitDestination.SOCIAL_RENTAL,
    "parc social": ExitDestination.SOCIAL_RENTAL,
    "hlm": ExitDestination.SOCIAL_RENTAL,
    "mutation": ExitDestination.SOCIAL_RENTAL,
    "logement prive": ExitDestination.PRIVATE_RENTAL,
    "parc prive": ExitDestination.PRIVATE_RENTAL,
    "accession": ExitDestination.HOME_OWNERSHIP,
    "proprietaire": ExitDestination.HOME_OWNERSHIP,
    "logement accompagne": ExitDestination.SUPPORTED_HOUSING,
    "residence sociale": ExitDestination.SUPPORTED_HOUSING,
    "famille": ExitDestination.FAMILY_OR_FRIENDS,
    "hebergement famille amis": ExitDestination.FAMILY_OR_FRIENDS,
    "hebergement par un tiers": ExitDestination.FAMILY_OR_FRIENDS,
    "hebergement d urgence": ExitDestination.SHELTER,
    "foyer": ExitDestination.SHELTER,
    "centre d hebergement": ExitDestination.SHELTER,
    "etablissement": ExitDestination.CARE_INSTITUTION,
    "ehpad": ExitDestination.CARE_INSTITUTION,
    "hopital": ExitDestination.CARE_INSTITUTION,
    "rue": ExitDestination.STREET,
    "sans abri": ExitDestination.STREET,
    "deces": ExitDestination.DECEASED,
    "decede": ExitDestination.DECEASED,
    "decedee": ExitDestination.DECEASED,
    "autre": ExitDestination.OTHER,
    "inconnue": ExitDestination.UNKNOWN,
    "inconnu": ExitDestination.UNKNOWN,
    "non renseigne": ExitDestination.UNKNOWN,
    **{d.value.replace("_", " "): d for d in ExitDestination},
}
_DECISION = {
    "en attente": ReferralDecision.PENDING,
    "en cours": ReferralDecision.PENDING,
    "a l etude": ReferralDecision.PENDING,
    "admis": ReferralDecision.ADMITTED,
    "admise": ReferralDecision.ADMITTED,
    "accepte": ReferralDecision.ADMITTED,
    "acceptee": ReferralDecision.ADMITTED,
    "favorable": ReferralDecision.ADMITTED,
    "refuse": ReferralDecision.REFUSED,
    "refusee": ReferralDecision.REFUSED,
    "refus": ReferralDecision.REFUSED,
    "defavorable": ReferralDecision.REFUSED,
    "retire": ReferralDecision.WITHDRAWN,
    "retiree": ReferralDecision.WITHDRAWN,
    "abandon": ReferralDecision.WITHDRAWN,
    "desistement": ReferralDecision.WITHDRAWN,
    "annule": ReferralDecision.WITHDRAWN,
    "annulee": ReferralDecision.WITHDRAWN,
}


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        text = " ".join(text.split())
        if len(text) > limit:
            raise ValueError(f"au plus {limit} caractères")
        return text

    return parse


def _postcode(text: str) -> str:
    digits = text.replace(" ", "")
    if len(digits) == 4 and digits.isdigit():  # a spreadsheet dropped the leading zero (02300 → 2300)
        digits = "0" + digits
    if len(digits) != 5 or not digits.isdigit():
        raise ValueError(f"code postal à 5 chiffres attendu, lu « {text} »")
    return digits


def _department(text: str) -> str:
    code = text.replace(" ", "").upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if not re.fullmatch(r"\d{2,3}|2[AB]", code):
        raise ValueError(f"numéro de département attendu (02, 2A, 971…), lu « {text} »")
    return code


def _past_date(text: str) -> date:
    value = parse_date(text)
    if value > date.today():
        raise ValueError(f"date de naissance dans le futur « {text} »")
    return value


# -- columns --------------------------------------------------------------------------------------
_RNL = Column(
    "national_id",
    "N° RNL",
    (
        "rnl",
        "n rnl",
        "num rnl",
        "numero rnl",
        "identifiant rnl",
        "id rnl",
        "code rnl",
        "reference rnl",
        "identifiant national du logement",
        "identifiant national logement",
        "numero national du logement",
        "n national du logement",
        "rpls",
        "n rpls",
        "identifiant rpls",
        "code rpls",
        "numero rpls",
        "identifiant rpls du logement",
        "national id",
    ),
    _text(40),
    required=True,
    fallback=(
        "code logement",
        "code du logement",
        "identifiant logement",
        "identifiant du logement",
        "id logement",
        "reference logement",
        "ref logement",
        "cle logement",
        "code local",
        "code lot",
    ),
)
_HOUSEHOLD_REF = Column(
    "reference",
    "Référence ménage",
    (
        "reference menage",
        "ref menage",
        "n menage",
        "numero menage",
        "identifiant menage",
        "id menage",
        "code menage",
        "menage",
        "reference locataire",
        "n locataire",
        "numero locataire",
        "code locataire",
        "identifiant locataire",
        "reference dossier",
        "n dossier",
        "numero dossier",
        "dossier",
        "reference",
        "reference foyer",
        "code foyer",
    ),
    _text(60),
    required=True,
    fallback=(
        "matricule",
        "code tiers",
        "n tiers",
        "n contrat",
        "numero contrat",
        "reference contrat",
        "n bail",
        "numero bail",
        "code client",
        "n client",
        "locataire",
    ),
)
_OFFER = ("offre", "dispositif", "nom de l offre", "programme d accompagnement", "service")

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
                "nom du groupe",
                "batiment",
                "immeuble",
                "ensemble immobilier",
                "patrimoine",
            ),
            _text(200),
            required=True,
        ),
        Column(
            "commune", "Commune", ("commune", "ville", "localite", "nom commune"), _text(120), required=True
        ),
        Column("postcode", "Code postal", ("code postal", "cp", "postal"), _postcode),
        Column(
            "address",
            "Adresse",
            (
                "adresse",
                "adresse du logement",
                "adresse postale",
                "voie",
                "rue",
                "adresse 1",
                "adresse ligne 1",
            ),
            _text(300),
        ),
        Column("department", "Département", ("departement", "dept", "dpt", "dep"), _department),
        Column(
            "in_priority_district",
            "QPV",
            ("qpv", "quartier prioritaire", "en qpv", "quartier prioritaire de la ville", "zone qpv"),
            parse_bool,
        ),
        Column(
            "label",
            "Logement",
            (
                "logement",
                "numero de logement",
                "reference logement",
                "libelle",
                "libelle logement",
                "porte",
                "n porte",
                "numero de porte",
                "appartement",
                "n appartement",
                "lot",
            ),
            _text(60),
        ),
        Column(
            "typology",
            "Typologie",
            ("typologie", "type", "typo", "type de logement", "nombre de pieces", "nb pieces", "taille"),
            parse_typology,
            required=True,
        ),
        Column(
            "surface_m2",
            "Surface",
            ("surface", "surface habitable", "surface reelle", "surface corrigee", "superficie"),
            parse_decimal,
        ),
        Column("floor", "Étage", ("etage", "niveau"), parse_int),
        Column("furnished", "Meublé", ("meuble", "logement meuble"), parse_bool),
        Column(
            "accessible",
            "Accessible PMR",
            (
                "pmr",
                "accessible pmr",
                "accessible",
                "accessibilite",
                "accessibilite pmr",
                "handicap",
                "adapte",
            ),
            parse_bool,
        ),
        Column("common", "Partagé", ("partage", "commun", "colocation", "logement partage"), parse_bool),
        Column(
            "monthly_rent",
            "Loyer",
            ("loyer", "loyer mensuel", "loyer principal", "loyer hors charge", "loyer hc", "loyer de base"),
            parse_amount,
        ),
    ),
    ImportKind.HOUSEHOLDS: (
        _HOUSEHOLD_REF,
        Column(
            "last_name",
            "Nom",
            ("nom", "nom de famille", "nom usuel", "nom de naissance", "nom occupant", "nom du membre"),
            _text(100),
            required=True,
        ),
        Column(
            "first_name",
            "Prénom",
            ("prenom", "prenom usuel", "prenom occupant", "prenom du membre"),
            _text(100),
            required=True,
        ),
        Column(
            "birth_date",
            "Date de naissance",
            ("date de naissance", "naissance", "ne le", "date naissance", "ne a"),
            _past_date,
        ),
        Column(
            "role",
            "Lien",
            (
                "lien",
                "role",
                "qualite",
                "lien de parente",
                "lien avec le titulaire",
                "lien avec le demandeur",
                "lien familial",
                "parente",
            ),
            _enum(_ROLE, "lien", "titulaire, conjoint, enfant, autre"),
        ),
        Column(
            "activity",
            "Situation",
            (
                "situation",
                "activite",
                "situation professionnelle",
                "situation d activite",
                "categorie socio professionnelle",
                "csp",
                "statut professionnel",
            ),
            _enum(
                _ACTIVITY,
                "situation",
                "salarié, formation, apprenti, stage, demandeur d'emploi, étudiant, retraité, inactif",
            ),
        ),
        Column(
            "monthly_resources",
            "Ressources mensuelles",
            ("ressource", "ressource mensuelle", "revenu", "revenu mensuel", "montant ressource"),
            parse_amount,
        ),
        Column(
            "created_on",
            "Date de création",
            ("date de creation", "cree le", "date d ouverture", "ouverture du dossier"),
            parse_date,
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
                "entree dans les lieux",
                "debut du bail",
                "date de debut du bail",
                "date d effet du bail",
                "date d arrivee",
                "arrivee",
            ),
            parse_date,
            required=True,
        ),
        Column(
            "end_date",
            "Date de sortie",
            (
                "date de sortie",
                "sortie",
                "date sortie",
                "fin du bail",
                "date de depart",
                "depart",
                "sorti le",
            ),
            parse_date,
        ),
        Column(
            "exit_reason",
            "Motif de sortie",
            ("motif de sortie", "motif sortie", "motif", "motif de depart", "raison du depart"),
            _text(200),
        ),
        Column(
            "exit_destination",
            "Destination",
            ("destination", "destination a la sortie", "orientation a la sortie", "devenir"),
            _enum(_DESTINATION, "destination"),
        ),
        Column("offer", "Offre", _OFFER, _text(200)),
    ),
    ImportKind.REFERRALS: (
        _HOUSEHOLD_REF,
        Column("offer", "Offre", _OFFER, _text(200), required=True),
        Column(
            "proposed_on",
            "Date d'orientation",
            (
                "date d orientation",
                "date de proposition",
                "date de candidature",
                "propose le",
                "oriente le",
                "date de la demande",
                "date",
            ),
            parse_date,
            required=True,
        ),
        Column(
            "decision",
            "Décision",
            ("decision", "statut", "etat", "avis", "suite donnee"),
            _enum(_DECISION, "décision", "en attente, admis, refusé, retiré"),
        ),
        Column(
            "decided_on",
            "Date de décision",
            ("date de decision", "decide le", "date de commission"),
            parse_date,
        ),
        Column(
            "reason", "Motif", ("motif", "motif de la decision", "motif de refus", "commentaire"), _text(300)
        ),
    ),
    ImportKind.SUPPORT_EPISODES: (
        _HOUSEHOLD_REF,
        Column(
            "start_date",
            "Début de l'accompagnement",
            (
                "date de debut",
                "debut",
                "debut de l accompagnement",
                "date de debut de l accompagnement",
                "date de debut d accompagnement",
                "debut accompagnement",
                "date d entree en accompagnement",
                "date de debut de mesure",
                "debut de mesure",
            ),
            parse_date,
            required=True,
        ),
        Column(
            "end_date",
            "Fin de l'accompagnement",
            (
                "date de fin",
                "fin",
                "fin de l accompagnement",
                "date de fin de l accompagnement",
                "date de fin d accompagnement",
                "fin accompagnement",
                "date de fin de mesure",
                "fin de mesure",
            ),
            parse_date,
        ),
        Column(
            "end_reason",
            "Motif de fin",
            ("motif de fin", "motif de fin d accompagnement", "motif", "motif de sortie", "motif d arret"),
            _text(200),
        ),
        Column("offer", "Offre", _OFFER, _text(200)),
        Column(
            "organisation",
            "Organisme accompagnant",
            (
                "organisme accompagnant",
                "organisme",
                "accompagnant",
                "structure",
                "structure accompagnante",
                "association",
                "operateur",
                "prestataire",
            ),
            _text(200),
        ),
    ),
}


# -- header matching ------------------------------------------------------------------------------
#: Words that carry no meaning in a header (articles, « N° », units).
_STOP = frozenset({"a", "au", "aux", "d", "de", "des", "du", "e", "en", "et", "l", "la", "le", "les"}) | {
    *("n", "no", "num", "numero", "nr", "the", "of", "m2", "m", "eur", "euro", "euros")
}
#: Abbreviations landlords' software writes in headers, and their full word.
_ABBREVIATIONS = {
    "logt": "logement",
    "lgt": "logement",
    "log": "logement",
    "lgmt": "logement",
    "dt": "date",
    "dte": "date",
    "naiss": "naissance",
    "nais": "naissance",
    "ref": "reference",
    "resid": "residence",
    "ress": "ressource",
    "rev": "revenu",
    "adr": "adresse",
    "typo": "typologie",
    "typol": "typologie",
    "surf": "surface",
    "shab": "surface habitable",
    "sh": "surface habitable",
    "etg": "etage",
    "entr": "entree",
    "ent": "entree",
    "deb": "debut",
    "mng": "menage",
    "men": "menage",
    "pren": "prenom",
    "orient": "orientation",
    "dec": "decision",
    "motf": "motif",
    "bat": "batiment",
    "cne": "commune",
    "id": "identifiant",
    "ident": "identifiant",
    "accomp": "accompagnement",
    "accompt": "accompagnement",
    "nb": "nombre",
    "pces": "pieces",
    "pce": "piece",
}
#: One-word aliases too vague to match a longer header on their own.
_GENERIC = frozenset({"date", "code", "type", "reference", "identifiant", "libelle", "motif", "statut"}) | {
    *("etat", "numero", "fin", "debut", "lot", "service", "avis", "sortie", "entree", "naissance")
}


#: Words saying a column holds a name (preferred for name fields) or a code (less so).
_NAMING = frozenset({"libelle", "nom", "intitule", "designation", "denomination"})
_CODING = frozenset({"code", "identifiant", "reference", "cle", "numero"})


def tokens(text: str) -> tuple[str, ...]:
    """The words of a header that matter: normalised, abbreviations expanded, no plural, no stop word."""
    out: list[str] = []
    for word in normalise(text).split():
        for part in _ABBREVIATIONS.get(word, word).split():
            if len(part) > 3 and part.endswith("s") and not part.endswith("ss"):
                part = part[:-1]
            if part not in _STOP:
                out.append(part)
    return tuple(out)


def _score(header: tuple[str, ...], alias: tuple[str, ...]) -> float:
    """How well a header matches an alias: 3 same words, 2.x alias words all in a longer header."""
    if not header or not alias:
        return 0.0
    if header == alias:
        return 3.0
    h, a = set(header), set(alias)
    if h == a:
        return 2.9
    if (len(a) >= 2 or alias[0] not in _GENERIC) and a < h and len(h - a) <= 2:
        extra = h - a
        # « Libellé programme » names a site, « Code programme » only identifies it: prefer the name.
        bonus = 0.05 * len(extra & _NAMING) - 0.3 * len(extra & _CODING)
        return 2.0 + 0.1 * len(a) - 0.05 * len(extra) + bonus
    return 0.0


def _alias_tokens(col: Column) -> list[tuple[str, ...]]:
    return [tokens(a) for a in (col.key.replace("_", " "), col.label, *col.aliases)]


@dataclass
class Matching:
    """Which column of the file is read as which field, and what could not be matched."""

    index: dict[str, int] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    ignored: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @property
    def primary(self) -> int:
        """Columns matched by their headers (explicit mappings and fallbacks not counted)."""
        return sum(1 for h in self.how.values() if h in ("en-tête", "rapproché"))


def field_of(kind: ImportKind, name: str) -> Column | None:
    """The column of ``kind`` a user names (its key, French label or an accepted header)."""
    wanted = tokens(name)
    for col in COLUMNS[kind]:
        if wanted in _alias_tokens(col) or wanted in [tokens(a) for a in col.fallback]:
            return col
    return None


def field_names(kind: ImportKind) -> str:
    """The fields of ``kind`` as users may name them in a mapping."""
    return ", ".join(f"{c.key} (« {c.label} »)" for c in COLUMNS[kind])


def match_columns(
    kind: ImportKind, headers: Sequence[str], mapping: Mapping[str, str] | None = None
) -> Matching:
    """Column key → index in the file: explicit mapping first, then best header matches, then fallbacks."""
    found = Matching()
    cols = COLUMNS[kind]
    keys = [tokens(h) for h in headers]
    explicit: set[int] = set()
    for header, target in (mapping or {}).items():
        positions = [i for i, k in enumerate(keys) if k == tokens(header)] or [
            i for i, h in enumerate(headers) if normalise(h) == normalise(header)
        ]
        if not positions:
            found.problems.append(f"colonne « {header} » de la correspondance absente du fichier")
            continue
        i = positions[0]
        explicit.add(i)
        if normalise(target) in ("", "ignorer", "ignore"):
            found.ignored.add(i)
            continue
        col = field_of(kind, target)
        if col is None:
            found.problems.append(
                f"champ « {target} » inconnu pour un import de {KIND_LABELS[kind]} "
                f"(champs possibles : {field_names(kind)})"
            )
        elif col.key not in found.index:
            found.index[col.key], found.how[col.key] = i, "correspondance"
    candidates: list[tuple[float, int, int, str]] = []
    for order, col in enumerate(cols):
        if col.key in found.index:
            continue
        aliases = _alias_tokens(col)
        for i, key in enumerate(keys):
            if i in explicit:
                continue
            score = max(_score(key, a) for a in aliases)
            if score:
                candidates.append((score, -order, -i, col.key))
    taken = set(found.index.values()) | found.ignored
    for score, _order, neg_i, name in sorted(candidates, reverse=True):
        i = -neg_i
        if name not in found.index and i not in taken:
            found.index[name], found.how[name] = i, "en-tête" if score >= 2.9 else "rapproché"
            taken.add(i)
    for col in cols:
        if not col.required or col.key in found.index or not col.fallback:
            continue
        aliases = [tokens(a) for a in col.fallback]
        scored = [
            (max(_score(key, a) for a in aliases), -i)
            for i, key in enumerate(keys)
            if (i not in explicit and i not in found.index.values()) or _optional_at(found, cols, i)
        ]
        best = max((s for s in scored if s[0]), default=None)
        if best is not None:
            i = -best[1]
            for other, at in list(found.index.items()):
                if at == i:  # a required field takes the header from an optional one
                    del found.index[other], found.how[other]
            found.index[col.key], found.how[col.key] = i, "repli"
    return found


def _optional_at(found: Matching, cols: Sequence[Column], i: int) -> bool:
    required = {c.key for c in cols if c.required}
    return any(
        at == i and key not in required and found.how[key] != "correspondance"
        for key, at in found.index.items()
    )


def guess_kind(headers: Sequence[str], mapping: Mapping[str, str] | None = None) -> ImportKind | None:
    """The kind whose required columns the headers match best (None if none fits)."""
    best, score = None, 0.0
    for kind in ImportKind:
        found = match_columns(kind, headers, mapping)
        required = [c for c in COLUMNS[kind] if c.required]
        if all(c.key in found.index for c in required):
            fallbacks = sum(1 for h in found.how.values() if h == "repli")
            value = len(found.index) + 10 * len(required) - 5 * fallbacks
            if value > score:
                best, score = kind, value
    return best


def closest_kind(headers: Sequence[str], mapping: Mapping[str, str] | None = None) -> ImportKind | None:
    """When no kind has all its required columns: the one most of whose required columns are there."""
    best, score = None, 1
    for kind in ImportKind:
        found = match_columns(kind, headers, mapping)
        required = sum(1 for c in COLUMNS[kind] if c.required and c.key in found.index)
        if required > score:
            best, score = kind, required
    return best


def find_header(
    lines: Sequence[Sequence[str]], kind: ImportKind | None, mapping: Mapping[str, str] | None
) -> int:
    """Index of the header line: among the first non-blank lines, the one most headers match."""
    kinds = [kind] if kind else list(ImportKind)
    best, best_score = None, 0
    seen = 0
    for n, line in enumerate(lines):
        if not any(line):
            continue
        if best is None:
            best = n
        score = 0
        for k in kinds:
            found = match_columns(k, line, mapping)
            required = {c.key for c in COLUMNS[k] if c.required}
            score = max(score, found.primary + 2 * len(set(found.index) & required))
        if score > best_score:
            best, best_score = n, score
        seen += 1
        if seen >= HEADER_SEARCH:
            break
    return best or 0


@dataclass
class _Parsed:
    line: int
    values: dict[str, Any]


#: Headers shown to people when a required column is missing (the aliases are stored normalised).
_EXAMPLES = {
    "national_id": ("N° RNL", "Identifiant RNL", "Identifiant RPLS", "Code RPLS"),
    "reference": ("Référence ménage", "N° ménage", "Code locataire", "N° dossier"),
    "site": ("Résidence", "Nom de la résidence", "Programme", "Groupe"),
    "commune": ("Commune", "Ville"),
    "typology": ("Typologie", "Type", "Type de logement"),
    "last_name": ("Nom", "Nom de famille"),
    "first_name": ("Prénom",),
    "offer": ("Offre", "Dispositif"),
    "proposed_on": ("Date d'orientation", "Date de candidature", "Date de proposition"),
}


def _missing_column(report: ImportReport, col: Column, found: Matching) -> RowError:
    examples = _EXAMPLES.get(col.key) or (col.label, *col.aliases[:3])
    if col.key == "start_date":
        examples = (
            ("Date d'entrée", "Entrée dans les lieux", "Début du bail")
            if report.kind is ImportKind.OCCUPANCIES
            else ("Date de début", "Début de l'accompagnement")
        )
    accepted = ", ".join(f"« {a} »" for a in examples)
    unknown = [
        h
        for i, h in enumerate(report.headers)
        if h and i not in found.index.values() and i not in found.ignored
    ]
    message = f"colonne obligatoire « {col.label} » introuvable (en-têtes reconnus : {accepted}…)"
    if unknown:
        names = ", ".join(f"« {h} »" for h in unknown[:12])
        message += (
            f". Colonnes du fichier non reconnues : {names}. Si l'une d'elles est la bonne, indiquez-le : "
            f'--map "{unknown[0]}={col.key}" (ligne de commande) ou columns: [{{header: "{unknown[0]}", '
            f'field: "{col.key}"}}] (API)'
        )
    return RowError(report.header_line, col.label, "MISSING_COLUMN", message)


def _parse(
    report: ImportReport, found: Matching, rows: list[tuple[int, list[str]]], progress: Progress | None
) -> list[_Parsed]:
    cols = {c.key: c for c in COLUMNS[report.kind]}
    parsed: list[_Parsed] = []
    total = len(rows)
    for n, (line, raw) in enumerate(rows):
        values: dict[str, Any] = {}
        for key, index in found.index.items():
            col, text = cols[key], (raw[index] if index < len(raw) else "").strip()
            header = report.headers[index]
            if not text:
                if col.required:
                    report.errors.append(
                        RowError(
                            line, header, "REQUIRED", f"valeur obligatoire manquante ({col.label})", index
                        )
                    )
                continue
            try:
                values[key] = col.parse(text)
            except ValueError as exc:
                report.errors.append(RowError(line, header, "INVALID", str(exc), index))
        parsed.append(_Parsed(line, values))
        if progress and n % CHUNK == 0:
            progress("lecture", n, total)
    if progress:
        progress("lecture", total, total)
    return parsed


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old is not None and new is not None and abs(float(old) - float(new)) < 1e-6
    if isinstance(old, enum.Enum) or isinstance(new, enum.Enum):
        return bool(getattr(old, "value", old) == getattr(new, "value", new))
    return bool(old == new)


# -- planning and writing -------------------------------------------------------------------------
@dataclass
class _Plan:
    """Rows to insert and to update in one table (with the file line of each, for the audit)."""

    model: Any
    creates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)  # (line, id, changed)
    unchanged: int = 0


class _Writer:
    """Computes the rows to insert and update for one kind, then writes them with their audit events."""

    def __init__(
        self,
        session: Session,
        org: int,
        report: ImportReport,
        found: Matching,
        today: date,
        actor: str,
        actor_org: int | None,
        progress: Progress | None,
    ) -> None:
        self.session, self.org, self.report, self.found, self.today = session, org, report, found, today
        self.actor, self.actor_org, self.progress = actor, actor_org, progress
        self.plans: list[_Plan] = []
        self.audit: list[dict[str, Any]] = []
        self.pending: dict[str, Any] = {}  # placeholders resolved while writing (new sites, households)

    def error(self, line: int, key: str, code: str, message: str) -> None:
        index = self.found.index.get(key)
        column = None if index is None else self.report.headers[index]
        self.report.errors.append(RowError(line, column, code, message, index))

    def duplicates(
        self, rows: list[_Parsed], key: Callable[[dict[str, Any]], Any], column: str
    ) -> list[_Parsed]:
        seen: dict[Any, int] = {}
        kept = []
        for r in rows:
            k = key(r.values)
            if k in seen:
                self.error(r.line, column, "DUPLICATE", f"même clé qu'à la ligne {seen[k]} (ligne en double)")
            else:
                seen[k] = r.line
                kept.append(r)
        return kept

    def existing(
        self,
        model: Any,
        key_cols: Sequence[str],
        fields: Sequence[str],
        where: Any,
        by: str,
        values: Iterable[Any],
    ) -> dict[Any, dict[str, Any]]:
        """Rows of ``model`` (id, key and ``fields``) whose ``by`` column is in ``values``, by key."""
        t = model.__table__
        cols = [t.c.id, *(t.c[k] for k in key_cols), *(t.c[f] for f in fields if f not in key_cols)]
        out: dict[Any, dict[str, Any]] = {}
        for part in _chunks(sorted(set(values))):
            for row in self.session.execute(select(*cols).where(where, t.c[by].in_(part))):
                m = dict(row._mapping)
                key = m[key_cols[0]] if len(key_cols) == 1 else tuple(m[k] for k in key_cols)
                out[key] = m
        return out

    def plan(
        self,
        model: Any,
        rows: list[_Parsed],
        existing: Mapping[Any, Mapping[str, Any]],
        key: Callable[[dict[str, Any]], Any],
        fields: Sequence[str],
        defaults: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> _Plan:
        plan = _Plan(model)
        for r in rows:
            values = {f: r.values[f] for f in fields if f in r.values}
            found = existing.get(key(r.values))
            if found is None:
                plan.creates.append(
                    (r.line, {"owner_id": self.org, "version": 1, **defaults(r.values), **values})
                )
                continue
            changed = {f: v for f, v in values.items() if not _same(found.get(f), v)}
            if changed:
                plan.updates.append((r.line, found["id"], changed))
            else:
                plan.unchanged += 1
        self.plans.append(plan)
        return plan

    def count(self, plan: _Plan) -> None:
        self.report.created += len(plan.creates)
        self.report.updated += len(plan.updates)
        self.report.unchanged += plan.unchanged

    def households(self, refs: Iterable[str]) -> dict[str, int]:
        found = self.existing(Household, ["reference"], [], Household.owner_id == self.org, "reference", refs)
        return {k: v["id"] for k, v in found.items()}

    # units -------------------------------------------------------------------------------------
    def units(self, rows: list[_Parsed]) -> None:
        rows = self.duplicates(
            [r for r in rows if "national_id" in r.values], lambda v: v["national_id"], "national_id"
        )
        fields = (
            "site_id",
            "label",
            "typology",
            "surface_m2",
            "floor",
            "furnished",
            "accessible",
            "common",
            "monthly_rent",
        )
        existing = self.existing(
            Unit,
            ["national_id"],
            fields,
            Unit.owner_id == self.org,
            "national_id",
            [r.values["national_id"] for r in rows],
        )
        sites = {
            (normalise(name), normalise(commune)): sid
            for sid, name, commune in self.session.execute(
                select(Site.id, Site.name, Site.commune).where(Site.owner_id == self.org)
            )
        }
        new_sites: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        site_fields = ("address", "postcode", "department", "in_priority_district")
        for r in rows:
            v = r.values
            if "site" not in v or "commune" not in v:
                continue
            key = (normalise(v["site"]), normalise(v["commune"]))
            if key not in sites and key not in new_sites:
                new_sites[key] = (
                    r.line,
                    {
                        "owner_id": self.org,
                        "name": v["site"],
                        "commune": v["commune"],
                        "version": 1,
                        "in_priority_district": False,
                        "address": None,
                        "postcode": None,
                        "department": None,
                    }
                    | {f: v[f] for f in site_fields if f in v},
                )
            v["site_id"] = sites.get(key, ("site", key))
        self.pending["sites"] = new_sites
        if new_sites:
            self.report.notices.append(
                f"{len(new_sites)} résidence(s) nouvelle(s) : "
                + ", ".join(s[1]["name"] for s in list(new_sites.values())[:10])
                + (" …" if len(new_sites) > 10 else "")
            )

        def defaults(v: dict[str, Any]) -> dict[str, Any]:
            return {
                "national_id": v["national_id"],
                "label": v["national_id"],
                "surface_m2": None,
                "floor": None,
                "furnished": False,
                "accessible": False,
                "common": False,
                "monthly_rent": None,
                "closed_on": None,
            }

        self.count(self.plan(Unit, rows, existing, lambda v: v["national_id"], fields, defaults))

    # households and members ----------------------------------------------------------------------
    def members(self, rows: list[_Parsed]) -> None:
        rows = [r for r in rows if {"reference", "last_name", "first_name"} <= set(r.values)]

        def who(v: dict[str, Any]) -> tuple[str, str, str]:
            return (v["reference"], normalise(v["last_name"]), normalise(v["first_name"]))

        rows = self.duplicates(rows, who, "first_name")
        households = self.households(r.values["reference"] for r in rows)
        by_ref: dict[str, list[_Parsed]] = {}
        for r in rows:
            by_ref.setdefault(r.values["reference"], []).append(r)
        new_households = {
            ref: (
                group[0].line,
                {
                    "owner_id": self.org,
                    "reference": ref,
                    "confidential": False,
                    "version": 1,
                    "closed_on": None,
                    "created_on": min(r.values.get("created_on") or self.today for r in group),
                },
            )
            for ref, group in by_ref.items()
            if ref not in households
        }
        self.pending["households"] = new_households
        if new_households:
            self.report.notices.append(f"{len(new_households)} ménage(s) nouveau(x)")
        fields = ("first_name", "last_name", "birth_date", "role", "activity", "monthly_resources")
        people: dict[tuple[int, str, str], dict[str, Any]] = {}
        found = self.existing(
            Person,
            ["household_id", "last_name", "first_name"],
            fields,
            Person.owner_id == self.org,
            "household_id",
            households.values(),
        )
        for (hid, last, first), row in found.items():
            people[(hid, normalise(last), normalise(first))] = row
        for r in rows:
            r.values["household_id"] = households.get(
                r.values["reference"], ("household", r.values["reference"])
            )

        def defaults(v: dict[str, Any]) -> dict[str, Any]:
            return {
                "household_id": v["household_id"],
                "role": MemberRole.REFERENCE,
                "birth_date": None,
                "activity": None,
                "monthly_resources": None,
                "isolated": None,
                "left_on": None,
            }

        def key(v: dict[str, Any]) -> Any:
            return (v["household_id"], *who(v)[1:]) if isinstance(v["household_id"], int) else None

        self.count(self.plan(Person, rows, people, key, fields, defaults))

    # occupancies, referrals, support episodes ------------------------------------------------------
    def _offers(self) -> dict[str, tuple[int, int]]:
        rows = self.session.execute(
            select(Offer.name, Offer.id, Offer.manager_id).where(
                or_(Offer.landlord_id == self.org, Offer.manager_id == self.org)
            )
        )
        return {normalise(name): (oid, manager) for name, oid, manager in rows}

    def _resolve(self, rows: list[_Parsed], need_unit: bool) -> list[_Parsed]:
        households = self.households(r.values["reference"] for r in rows if "reference" in r.values)
        units: dict[str, int] = {}
        if need_unit:
            rnls = {r.values["national_id"] for r in rows if "national_id" in r.values}
            found = self.existing(Unit, ["national_id"], [], Unit.owner_id == self.org, "national_id", rnls)
            missing = rnls - set(found)
            if missing:  # an association's occupancies are in the units of the landlords it works for
                found |= self.existing(
                    Unit, ["national_id"], [], Unit.id.in_(self._partner_units()), "national_id", missing
                )
            units = {k: v["id"] for k, v in found.items()}
        offers = self._offers()
        good = []
        for r in rows:
            v, ok = r.values, "reference" in r.values
            if ok and v["reference"] not in households:
                self.error(
                    r.line,
                    "reference",
                    "NOT_FOUND",
                    f"ménage « {v['reference']} » inconnu : importez d'abord les ménages",
                )
                ok = False
            elif ok:
                v["household_id"] = households[v["reference"]]
            if need_unit:
                if "national_id" not in v:
                    ok = False
                elif v["national_id"] not in units:
                    self.error(
                        r.line,
                        "national_id",
                        "NOT_FOUND",
                        f"logement « {v['national_id']} » inconnu : importez d'abord les logements",
                    )
                    ok = False
                else:
                    v["unit_id"] = units[v["national_id"]]
            if "offer" in v:
                found_offer = offers.get(normalise(v["offer"]))
                if found_offer is None:
                    known = ", ".join(f"« {name} »" for name in sorted(offers)[:8]) or "aucune"
                    self.error(
                        r.line,
                        "offer",
                        "NOT_FOUND",
                        f"offre « {v['offer']} » inconnue pour votre organisation (offres connues : {known})",
                    )
                    ok = False
                else:
                    v["offer_id"], v["offer_manager"] = found_offer
            if ok:
                good.append(r)
        return good

    def _partner_units(self) -> Any:
        landlords = select(Offer.landlord_id).where(Offer.manager_id == self.org)
        return select(Unit.id).where(Unit.owner_id.in_(landlords))

    def _dates(self, rows: list[_Parsed], start: str, end: str, message: str) -> list[_Parsed]:
        kept = []
        for r in rows:
            v = r.values
            if start in v and end in v and v[end] < v[start]:
                self.error(r.line, end, "DATE_ORDER", message)
            else:
                kept.append(r)
        return kept

    def occupancies(self, rows: list[_Parsed]) -> None:
        good = [r for r in self._resolve(rows, need_unit=True) if "start_date" in r.values]
        good = self._dates(good, "start_date", "end_date", "la date de sortie précède la date d'entrée")

        def key(v: dict[str, Any]) -> Any:
            return (v["household_id"], v["unit_id"], v["start_date"])

        good = self.duplicates(good, key, "start_date")
        fields = ("offer_id", "end_date", "exit_reason", "exit_destination")
        existing = self.existing(
            Occupancy,
            ["household_id", "unit_id", "start_date"],
            fields,
            Occupancy.owner_id.is_not(None),
            "household_id",
            [r.values["household_id"] for r in good],
        )

        def defaults(v: dict[str, Any]) -> dict[str, Any]:
            base = dict.fromkeys(fields)
            return base | {
                "household_id": v["household_id"],
                "unit_id": v["unit_id"],
                "start_date": v["start_date"],
            }

        self.count(self.plan(Occupancy, good, existing, key, fields, defaults))

    def referrals(self, rows: list[_Parsed]) -> None:
        good = [
            r for r in self._resolve(rows, need_unit=False) if {"proposed_on", "offer_id"} <= set(r.values)
        ]
        good = self._dates(
            good, "proposed_on", "decided_on", "la date de décision précède la date d'orientation"
        )

        def key(v: dict[str, Any]) -> Any:
            return (v["household_id"], v["offer_id"], v["proposed_on"])

        good = self.duplicates(good, key, "proposed_on")
        fields = ("decision", "decided_on", "reason")
        existing = self.existing(
            Referral,
            ["household_id", "offer_id", "proposed_on"],
            fields,
            Referral.owner_id.is_not(None),
            "household_id",
            [r.values["household_id"] for r in good],
        )

        def defaults(v: dict[str, Any]) -> dict[str, Any]:
            return {
                "household_id": v["household_id"],
                "offer_id": v["offer_id"],
                "proposed_on": v["proposed_on"],
                "proposer_id": self.org,
                "decision": ReferralDecision.PENDING,
                "decided_on": None,
                "reason": None,
            }

        self.count(self.plan(Referral, good, existing, key, fields, defaults))

    def _organisations(self) -> dict[str, int]:
        """Organisations a support episode may name: the importer, its partners, its offers' managers."""
        related = (
            select(Partnership.partner_id)
            .where(Partnership.owner_id == self.org)
            .union(select(Partnership.owner_id).where(Partnership.partner_id == self.org))
            .union(select(Offer.manager_id).where(Offer.landlord_id == self.org))
            .union(select(Offer.landlord_id).where(Offer.manager_id == self.org))
            .subquery()
        )
        rows = self.session.execute(
            select(Organisation.name, Organisation.id).where(
                or_(Organisation.id == self.org, Organisation.id.in_(select(related.c[0])))
            )
        )
        return {normalise(name): oid for name, oid in rows}

    def support_episodes(self, rows: list[_Parsed]) -> None:
        good = [r for r in self._resolve(rows, need_unit=False) if "start_date" in r.values]
        good = self._dates(good, "start_date", "end_date", "la date de fin précède la date de début")
        organisations = self._organisations() if any("organisation" in r.values for r in good) else {}
        kept = []
        for r in good:
            v = r.values
            if "organisation" in v:
                oid = organisations.get(normalise(v["organisation"]))
                if oid is None:
                    self.error(
                        r.line,
                        "organisation",
                        "NOT_FOUND",
                        f"organisme « {v['organisation']} » inconnu : "
                        "ni votre organisation ni l'un de vos partenaires",
                    )
                    continue
                v["organisation_id"] = oid
            else:
                v["organisation_id"] = v.get("offer_manager", self.org)
            kept.append(r)

        def key(v: dict[str, Any]) -> Any:
            return (v["household_id"], v["organisation_id"], v["start_date"])

        kept = self.duplicates(kept, key, "start_date")
        fields = ("offer_id", "end_date", "end_reason")
        existing = self.existing(
            SupportEpisode,
            ["household_id", "organisation_id", "start_date"],
            fields,
            SupportEpisode.owner_id.is_not(None),
            "household_id",
            [r.values["household_id"] for r in kept],
        )

        def defaults(v: dict[str, Any]) -> dict[str, Any]:
            return dict.fromkeys(fields) | {
                "household_id": v["household_id"],
                "organisation_id": v["organisation_id"],
                "start_date": v["start_date"],
            }

        self.count(self.plan(SupportEpisode, kept, existing, key, fields, defaults))

    # writing ---------------------------------------------------------------------------------------
    def _audit(
        self, model: Any, action: str, object_id: int, household: int | None, fields: Iterable[str], line: int
    ) -> None:
        self.audit.append(
            {
                "owner_id": self.org,
                "at": datetime.now(UTC),
                "actor": self.actor,
                "actor_organisation_id": self.actor_org,
                "action": action,
                "object_type": model.__name__,
                "object_id": object_id,
                "household_id": household,
                "field": None,
                "details": {"fields": sorted(fields), "import": self.report.kind.value, "line": line},
            }
        )

    def _insert(
        self, model: Any, rows: Sequence[tuple[int, dict[str, Any]]], done: list[int], total: int
    ) -> list[int]:
        """Insert rows in batches (one statement each, ids returned in order); audit each one."""
        table = model.__table__
        ids: list[int] = []
        postgres = self.session.get_bind().dialect.name == "postgresql"
        for part in _chunks(rows):
            if postgres:
                # Ids drawn from the sequence in one statement, rows sent through psycopg's pipelined
                # executemany: several times faster than one huge INSERT … VALUES … RETURNING.
                new = [
                    int(i)
                    for i in self.session.execute(
                        text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                        {"t": table.name, "n": len(part)},
                    ).scalars()
                ]
                self.session.execute(
                    insert(table), [{"id": pk, **values} for (_, values), pk in zip(part, new, strict=True)]
                )
            else:
                stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                new = [int(i) for i in self.session.execute(stmt, [values for _, values in part]).scalars()]
            for (line, values), pk in zip(part, new, strict=True):
                household = pk if model is Household else values.get("household_id")
                written = [k for k, v in values.items() if v is not None]
                self._audit(model, "create", pk, household, ["id", *written], line)
            ids.extend(new)
            done[0] += len(part)
            if self.progress:
                self.progress("écriture", done[0], total)
        return ids

    def _update(
        self,
        model: Any,
        rows: Sequence[tuple[int, int, dict[str, Any]]],
        households: Mapping[int, int | None],
        done: list[int],
        total: int,
    ) -> None:
        """Update the changed columns only, grouped by column set, bumping ``version``; audit each row."""
        table = model.__table__
        groups: dict[tuple[str, ...], list[tuple[int, int, dict[str, Any]]]] = {}
        for line, pk, changed in rows:
            groups.setdefault(tuple(sorted(changed)), []).append((line, pk, changed))
        for columns, group in groups.items():
            stmt = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(version=table.c.version + 1, **{c: bindparam(f"b_{c}") for c in columns})
            )
            for part in _chunks(group):
                self.session.execute(
                    stmt, [{"b_id": pk, **{f"b_{c}": v for c, v in ch.items()}} for _, pk, ch in part]
                )
                for line, pk, changed in part:
                    self._audit(model, "update", pk, households.get(pk), [*changed, "version"], line)
                done[0] += len(part)
                if self.progress:
                    self.progress("écriture", done[0], total)

    def write(self) -> None:
        """Write every plan (placeholders for new sites and households resolved first)."""
        total = sum(len(p.creates) + len(p.updates) for p in self.plans)
        total += len(self.pending.get("sites", {})) + len(self.pending.get("households", {}))
        done = [0]
        if self.progress:
            self.progress("écriture", 0, total)
        resolved: dict[Any, int] = {}
        for tag, model in (("site", Site), ("household", Household)):
            new = self.pending.get(f"{tag}s") or {}
            ids = self._insert(model, list(new.values()), done, total)
            for key, pk in zip(new, ids, strict=True):
                resolved[(tag, key)] = pk
        for plan in self.plans:
            for _, values in plan.creates:
                for column in ("site_id", "household_id"):
                    if isinstance(values.get(column), tuple):
                        values[column] = resolved[values[column]]
            for _, _, changed in plan.updates:
                for column in ("site_id", "household_id"):
                    if isinstance(changed.get(column), tuple):
                        changed[column] = resolved[changed[column]]
            self._insert(plan.model, plan.creates, done, total)
            households: dict[int, int | None] = {}
            if plan.updates and "household_id" in plan.model.__table__.c:
                t = plan.model.__table__
                for part in _chunks([pk for _, pk, _ in plan.updates]):
                    households.update(
                        dict(
                            self.session.execute(
                                select(t.c.id, t.c.household_id).where(t.c.id.in_(part))
                            ).all()
                        )
                    )
            self._update(plan.model, plan.updates, households, done, total)
        for part in _chunks(self.audit):
            self.session.execute(insert(AuditEvent), list(part))


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["Colonne du fichier=champ", …]`` as a dict; ValueError (French) for a pair without ``=``."""
    out: dict[str, str] = {}
    for pair in pairs:
        header, sep, target = pair.rpartition("=")
        if not sep or not header.strip():
            raise ValueError(f"correspondance « {pair} » : écrivez « Colonne du fichier=champ »")
        out[header.strip()] = target.strip()
    return out


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
    columns: Mapping[str, str] | None = None,
) -> ImportReport:
    """Check a file and, with ``apply`` and no error, write it in one transaction (commit included).

    ``columns`` maps headers of the file to fields (key, French label or accepted header; an empty
    field ignores the column) for what the forgiving header matching does not recognise.
    """
    today = today or date.today()
    try:
        lines = read_lines(filename, content)
    except TableError as exc:
        report = ImportReport(kind or ImportKind.UNITS, filename)
        report.errors.append(RowError(1, None, "UNREADABLE", str(exc)))
        return report
    at = find_header(lines, kind, columns)
    headers = list(lines[at])
    chosen = kind or guess_kind(headers, columns)
    supposed = kind is None and chosen is None
    if supposed:
        chosen = closest_kind(headers, columns)
    body = [(n + 1, line) for n, line in enumerate(lines) if n > at and any(line)]
    report = ImportReport(
        chosen or ImportKind.UNITS, filename, headers=headers, header_line=at + 1, lines=lines, rows=len(body)
    )
    if at:
        report.notices.append(
            f"en-têtes lus ligne {at + 1} : "
            + ("ligne 1 ignorée (titre)" if at == 1 else f"lignes 1 à {at} ignorées (titre)")
        )
    if chosen is None:
        report.errors.append(
            RowError(
                report.header_line,
                None,
                "UNKNOWN_KIND",
                "type de fichier non reconnu d'après les en-têtes : précisez-le (--kind units, households, "
                "occupancies, referrals ou support_episodes), et au besoin les colonnes (--map)",
            )
        )
        return report
    if supposed:
        report.notices.append(
            f"type de fichier supposé d'après les en-têtes : {KIND_LABELS[chosen]} (sinon, précisez --kind)"
        )
    elif kind is None:
        report.notices.append(f"type de fichier déduit des en-têtes : {KIND_LABELS[chosen]}")
    found = match_columns(chosen, headers, columns)
    for problem in found.problems:
        report.errors.append(RowError(report.header_line, None, "BAD_MAPPING", problem))
    for col in COLUMNS[chosen]:
        if col.key in found.index:
            i = found.index[col.key]
            report.columns.append(ColumnMatch(headers[i], i, col.key, col.label, found.how[col.key]))
            if found.how[col.key] == "repli":
                report.notices.append(
                    f"« {headers[i]} » lu comme « {col.label} » faute de colonne plus explicite : "
                    f'si ce n\'est pas le cas, précisez --map "Colonne={col.key}"'
                )
        elif col.required:
            report.errors.append(_missing_column(report, col, found))
    report.columns.sort(key=lambda c: c.index)
    ignored = [h for i, h in enumerate(headers) if h and i not in found.index.values()]
    if ignored:
        report.notices.append("colonnes ignorées : " + ", ".join(f"« {h} »" for h in ignored))
    if report.errors:
        return report
    if session.get(Organisation, organisation_id) is None:
        report.errors.append(RowError(report.header_line, None, "NOT_FOUND", "organisation introuvable"))
        return report
    parsed = _parse(report, found, body, progress)
    writer = _Writer(session, organisation_id, report, found, today, actor, actor_organisation_id, progress)
    if progress:
        progress("contrôle", 0, 1)
    {
        ImportKind.UNITS: writer.units,
        ImportKind.HOUSEHOLDS: writer.members,
        ImportKind.OCCUPANCIES: writer.occupancies,
        ImportKind.REFERRALS: writer.referrals,
        ImportKind.SUPPORT_EPISODES: writer.support_episodes,
    }[chosen](parsed)
    if progress:
        progress("contrôle", 1, 1)
    report.errors.sort(key=lambda e: (e.row, e.index if e.index is not None else -1))
    if report.errors or not apply:
        session.rollback()
        return report
    try:
        writer.write()
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
                        "unchanged": report.unchanged,
                    },
                }
            ],
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    report.applied = True
    return report
