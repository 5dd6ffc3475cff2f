"""GraphQL fields of data in and out (import, export, data-subject rights), mixed into the core roots."""

from __future__ import annotations

import base64
import binascii
import enum
from typing import Annotated, Any

import anyio
import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types import Info

from core.dataio import exporter, importer, rights
from core.graphql.common import UserError
from core.services.write import InvalidInput, decode_id, fail, require_acts_for


@strawberry.enum(description="What an imported file holds.")
class ImportKind(enum.Enum):
    """Kinds of import."""

    UNITS = strawberry.enum_value("units", description="Units with their sites (keyed by RNL).")
    HOUSEHOLDS = strawberry.enum_value(
        "households", description="Households and members, one row per member (keyed by reference)."
    )
    OCCUPANCIES = strawberry.enum_value(
        "occupancies", description="Occupancies (household, RNL, entry date)."
    )
    REFERRALS = strawberry.enum_value("referrals", description="Referrals (household, offer, proposal date).")
    SUPPORT_EPISODES = strawberry.enum_value(
        "support_episodes",
        description="Support episodes (household, supporting organisation, start date).",
    )


@strawberry.enum(description="File format of an export.")
class FileFormat(enum.Enum):
    """Export formats."""

    CSV = strawberry.enum_value("csv", description="CSV, `;` separator, UTF-8 with BOM, French values.")
    XLSX = strawberry.enum_value("xlsx", description="Excel workbook.")


@strawberry.enum(description="What an export lists.")
class ExportKind(enum.Enum):
    """Exportable tables."""

    HOUSEHOLDS = strawberry.enum_value("households", description="Households the caller may read.")
    MEMBERS = strawberry.enum_value("members", description="Members of the households the caller may read.")
    UNITS = strawberry.enum_value("units", description="Units the caller may read, with their site.")
    SITES = strawberry.enum_value("sites", description="Sites the caller may read.")
    OFFERS = strawberry.enum_value("offers", description="Offers the caller may read.")
    RESIDENTS = strawberry.enum_value("residents", description="Current residents of one offer.")
    CANDIDATES = strawberry.enum_value("candidates", description="Households referred to one offer.")
    INDICATORS = strawberry.enum_value("indicators", description="Indicator table of one offer.")
    ORGANISATIONS = strawberry.enum_value("organisations", description="Organisations the caller may read.")
    PARTNERSHIPS = strawberry.enum_value(
        "partnerships", description="Partnerships the caller's organisation grants or receives."
    )
    OCCUPANCIES = strawberry.enum_value(
        "occupancies", description="Occupancies of the households the caller may read."
    )
    REFERRALS = strawberry.enum_value(
        "referrals", description="Referrals the caller may read (made by it, or of households it may read)."
    )
    SUPPORT_EPISODES = strawberry.enum_value(
        "support_episodes", description="Support episodes of the households the caller may read."
    )
    AUDIT_EVENTS = strawberry.enum_value(
        "audit_events",
        description="The audit log of the caller's organisation (auditors and operators only).",
    )


@strawberry.input(description="A header of the file and the field it holds, for headers not recognised.")
class ImportColumnInput:
    """One explicit column mapping."""

    header: str = strawberry.field(
        description="The header as written in the file (case and accents ignored)."
    )
    field: str = strawberry.field(
        description="The field: its key (`national_id`), French label (« N° RNL ») or an accepted header; "
        "empty to ignore the column."
    )


@strawberry.input(
    description="A file to import (CSV or XLSX as landlords export them): an upload (GraphQL multipart "
    "request) or, for small files, its bytes in base64."
)
class ImportFileInput:
    """Input of importFile."""

    organisation_id: strawberry.ID = strawberry.field(description="Organisation the rows belong to.")
    file: Upload | None = strawberry.field(
        default=None,
        description="The file, sent as a multipart upload (up to THEMA_MAX_UPLOAD_BYTES). Give this or "
        "contentBase64.",
    )
    content_base64: str | None = strawberry.field(
        default=None,
        description="The file's bytes, base64-encoded, in the JSON body (bounded by THEMA_MAX_BODY_BYTES, "
        "256 KiB by default): prefer `file` for anything larger.",
    )
    filename: str | None = strawberry.field(
        default=None,
        description="File name (its extension tells CSV from XLSX); default: the upload's name.",
    )
    kind: ImportKind | None = strawberry.field(
        default=None, description="What the file holds (guessed from the headers when omitted)."
    )
    apply: bool = strawberry.field(
        default=False, description="Write the rows (all or nothing); false: dry run, nothing is written."
    )
    columns: list[ImportColumnInput] | None = strawberry.field(
        default=None, description="Explicit mappings for headers the import does not recognise."
    )


@strawberry.type(description="A problem found in an imported file.")
class ImportRowError:
    """One bad cell or row."""

    row: int = strawberry.field(description="Spreadsheet line (the headers are line 1).")
    column: str | None = strawberry.field(description="Header of the column at fault, as in the file.")
    code: str = strawberry.field(description="Stable code: REQUIRED, INVALID, NOT_FOUND, DUPLICATE…")
    message: str = strawberry.field(description="Reason, in French.")


@strawberry.type(description="A header of the imported file and the field it was read as.")
class ImportColumn:
    """One recognised column."""

    header: str = strawberry.field(description="The header, as in the file.")
    field: str = strawberry.field(description="The field's key (e.g. `national_id`).")
    label: str = strawberry.field(description="The field's French label (e.g. « N° RNL »).")
    matched_by: str = strawberry.field(
        description="How: `en-tête` (same words), `rapproché` (close words), `correspondance` (the "
        "mapping given), `repli` (the only candidate for a required field)."
    )


@strawberry.type(description="What an import found and did.")
class ImportReport:
    """The validation report of a file."""

    kind: ImportKind = strawberry.field(description="What the file holds.")
    applied: bool = strawberry.field(description="Whether the rows were written.")
    rows: int = strawberry.field(description="Data rows read.")
    created: int = strawberry.field(description="Objects created (or to create, in a dry run).")
    updated: int = strawberry.field(description="Objects updated (or to update, in a dry run).")
    unchanged: int = strawberry.field(description="Rows matching an existing object with nothing to change.")
    header_line: int = strawberry.field(description="Line of the headers (title lines above are skipped).")
    columns: list[ImportColumn] = strawberry.field(description="How each recognised header was read.")
    notices: list[str] = strawberry.field(
        description="What the import inferred (kind, header line, columns ignored or guessed), in French."
    )
    errors: list[ImportRowError] = strawberry.field(description="Rows in error; none is written if any.")
    summary: str = strawberry.field(description="The outcome in one French sentence.")
    annotated_base64: str | None = strawberry.field(
        description="With errors: the file as XLSX with an « Erreurs » column, base64-encoded."
    )


@strawberry.type(description="Result of importFile.")
class ImportFilePayload:
    """The report, or user errors."""

    report: ImportReport | None = strawberry.field(
        description="The report (null when the input was refused)."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input; empty on success.")


@strawberry.type(description="A file produced by the API, base64-encoded.")
class ExportedFile:
    """An export."""

    filename: str = strawberry.field(description="Suggested file name.")
    content_type: str = strawberry.field(description="MIME type.")
    rows: int = strawberry.field(description="Data rows in the file.")
    content_base64: str = strawberry.field(description="The file's bytes, base64-encoded.")
    omitted_columns: list[str] = strawberry.field(
        description="Sensitive columns left out because the caller may not read them."
    )

    @staticmethod
    def of(table: exporter.Table, format: FileFormat) -> ExportedFile:
        """The table rendered in ``format``, base64-encoded."""
        content, content_type = exporter.render(table, str(format.value))
        return ExportedFile(
            filename=f"{table.name}.{format.value}",
            content_type=content_type,
            rows=len(table.rows),
            content_base64=base64.b64encode(content).decode(),
            omitted_columns=table.omitted,
        )


@strawberry.input(description="Anonymise one household on request (right to erasure).")
class AnonymiseHouseholdInput:
    """Input of anonymiseHousehold."""

    household_id: strawberry.ID = strawberry.field(description="The household.")
    reason: str = strawberry.field(default="request", description="Why (kept in the audit trail).")


@strawberry.type(description="Result of anonymiseHousehold.")
class AnonymiseHouseholdPayload:
    """What was cleared."""

    cleared: JSON | None = strawberry.field(description="Table → number of rows anonymised.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input; empty on success.")


def _report(r: importer.ImportReport) -> ImportReport:
    annotated = base64.b64encode(r.annotated_xlsx()).decode() if r.errors and r.headers else None
    return ImportReport(
        kind=ImportKind(r.kind.value),
        applied=r.applied,
        rows=r.rows,
        created=r.created,
        updated=r.updated,
        unchanged=r.unchanged,
        header_line=r.header_line,
        columns=[
            ImportColumn(header=c.header, field=c.key, label=c.label, matched_by=c.how) for c in r.columns
        ],
        notices=r.notices,
        errors=[ImportRowError(row=e.row, column=e.column, code=e.code, message=e.message) for e in r.errors],
        summary=r.summary(),
        annotated_base64=annotated,
    )


async def _content(input: ImportFileInput) -> tuple[bytes, str]:
    """The file's bytes and name, from the upload or the base64 field (exactly one of them)."""
    if (input.file is None) == (input.content_base64 is None):
        raise fail(
            "file", "REQUIRED", "Joignez le fichier (file, en multipart) ou son contenu (contentBase64)."
        )
    if input.file is not None:
        upload: Any = input.file
        if not hasattr(upload, "read"):
            raise fail(
                "file", "INVALID", "Le fichier doit être envoyé en multipart (GraphQL multipart request)."
            )
        content = await upload.read()
        name = input.filename or getattr(upload, "filename", None) or "import.csv"
        return bytes(content), str(name)
    try:
        content = base64.b64decode(input.content_base64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise fail("contentBase64", "INVALID", "Contenu base64 invalide.") from None
    return content, input.filename or "import.csv"


def _errors(exc: InvalidInput) -> list[UserError]:
    return [UserError(field=p.field, code=p.code, message=p.message) for p in exc.problems]


@strawberry.type
class DataIOMutation:
    """Import and anonymisation mutations (mixed into the core Mutation)."""

    @strawberry.mutation(
        description="Import a CSV/XLSX file (dry run unless apply); all or nothing; re-import updates."
    )
    async def import_file(
        self, info: Info, input: Annotated[ImportFileInput, strawberry.argument(description="The file.")]
    ) -> ImportFilePayload:
        """Check, and optionally write, a landlord's file (in a worker thread: the server keeps serving)."""
        ctx = info.context
        try:
            org = decode_id(str(input.organisation_id), "Organisation", "organisationId")
            require_acts_for(org, "organisationId")
            content, filename = await _content(input)
            columns = {c.header: c.field for c in input.columns or []}
        except InvalidInput as exc:
            return ImportFilePayload(report=None, user_errors=_errors(exc))
        caller = ctx.caller

        def run() -> importer.ImportReport:
            return importer.run_import(
                ctx.session,
                org,
                filename,
                content,
                kind=importer.ImportKind(str(input.kind.value)) if input.kind else None,
                apply=input.apply,
                actor=caller.subject if caller else "system",
                actor_organisation_id=caller.organisation_id if caller else None,
                today=ctx.today,
                columns=columns,
            )

        report = await anyio.to_thread.run_sync(run)
        return ImportFilePayload(report=_report(report), user_errors=[])

    @strawberry.mutation(
        description="Anonymise a household: names, birth dates, free texts, sensitive facts."
    )
    def anonymise_household(
        self,
        info: Info,
        input: Annotated[AnonymiseHouseholdInput, strawberry.argument(description="The household.")],
    ) -> AnonymiseHouseholdPayload:
        """Right to erasure: the household's identifying data is cleared, its audit trail kept."""
        ctx = info.context
        try:
            pk = decode_id(str(input.household_id), "Household", "householdId")
            cleared = rights.anonymise_request(ctx, pk, input.reason)
        except InvalidInput as exc:
            ctx.session.rollback()
            return AnonymiseHouseholdPayload(cleared=None, user_errors=_errors(exc))
        found: Any = cleared
        return AnonymiseHouseholdPayload(cleared=found, user_errors=[])


@strawberry.type
class DataIOQuery:
    """Export and right-of-access fields (mixed into the core Query)."""

    @strawberry.field(description="Export a table the caller may read, as CSV or XLSX (base64).")
    def export_table(
        self,
        info: Info,
        kind: Annotated[ExportKind, strawberry.argument(description="What to export.")],
        format: Annotated[FileFormat, strawberry.argument(description="CSV or XLSX.")] = FileFormat.CSV,
        offer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The offer (residents, candidates, indicators)."),
        ] = None,
    ) -> ExportedFile:
        """Rows the caller may read; sensitive columns only with their permission."""
        table = exporter.export(info.context, exporter.ExportKind(str(kind.value)), offer_id=offer_id)
        return ExportedFile.of(table, format)

    @strawberry.field(
        description="Export any connection: runs `query` as the caller (same access rules, limits and "
        "sensitive-field guard), every page of its first connection, `nodes` flattened into columns "
        "(nested objects `a.b`, lists joined); fields redacted for the caller are left out."
    )
    async def export_query(
        self,
        info: Info,
        query: Annotated[
            str,
            strawberry.argument(
                description="A GraphQL query reading one connection, e.g. `{ households { nodes { "
                "reference members { firstName } } } }` (its `after` is set page after page)."
            ),
        ],
        variables: Annotated[JSON | None, strawberry.argument(description="Variables of the query.")] = None,
        format: Annotated[FileFormat, strawberry.argument(description="CSV or XLSX.")] = FileFormat.CSV,
    ) -> ExportedFile:
        """The connection's rows the caller may read, as a file."""
        if variables is not None and not isinstance(variables, dict):
            raise exporter.ExportError("« variables » doit être un objet.", "EXPORT_QUERY")
        table = await exporter.export_query(info.context, info.schema, query, variables)
        return ExportedFile.of(table, format)

    @strawberry.field(
        description="Everything held on one household (right of access): core rows and plugin tables."
    )
    def household_data(
        self,
        info: Info,
        household_id: Annotated[strawberry.ID, strawberry.argument(description="The household.")],
    ) -> JSON | None:
        """The household's data as JSON, or null when missing or hidden."""
        return rights.access_request(info.context, str(household_id))  # type: ignore[return-value]
