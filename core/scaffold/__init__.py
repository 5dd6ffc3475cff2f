"""``thema plugin new <code>``: write a ready scheme plugin package, outside the thema source tree.

The package comes from the templates beside this module (``templates/``, ``<<name>>``
placeholders, ``__package__`` and ``__code__`` in paths): pyproject with the ``thema.plugins``
entry point, hooks, scheme, models, Alembic branch, GraphQL type and mutation, eligibility rule,
one indicator, demo data, tests using the test kit and the conformance suite, README. It installs
with pip and passes its own tests unchanged.
"""

from __future__ import annotations

import importlib
import keyword
import re
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from core.contract import CONTRACT_VERSION

TEMPLATES = Path(__file__).with_name("templates")
#: The thema source tree (the project holding ``core/``): no plugin package is written there.
SOURCE_TREE = Path(__file__).resolve().parents[2]
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

app = typer.Typer(help="Write scheme plugins for thema.", no_args_is_help=True)
console = Console()


class ScaffoldError(ValueError):
    """The package cannot be written; the message, in French, says why."""


class _Template(string.Template):
    """``<<name>>`` placeholders: neither ``$`` (GraphQL variables) nor braces (f-strings) clash."""

    delimiter = "<<"
    pattern = r"<<(?:(?P<escaped>(?!))|(?P<named>[a-z_]+)>>|(?P<braced>(?!))|(?P<invalid>))"  # type: ignore[assignment]


@dataclass(frozen=True)
class Names:
    """Every spelling of a scheme code the templates use."""

    code: str
    label: str

    @property
    def pascal(self) -> str:
        """Type prefix: ``pension_famille`` → ``PensionFamille``."""
        return "".join(part[:1].upper() + part[1:] for part in self.code.split("_"))

    @property
    def camel(self) -> str:
        """Field prefix: ``pension_famille`` → ``pensionFamille``."""
        return self.pascal[:1].lower() + self.pascal[1:]

    def values(self) -> dict[str, str]:
        """Placeholder values."""
        from core import __version__

        return {
            "code": self.code,
            "pascal": self.pascal,
            "camel": self.camel,
            "package": f"thema_{self.code}",
            "dist": f"thema-{self.code.replace('_', '-')}",
            "label": self.label,
            "name": f"{self.pascal} scheme",
            "description": f"{self.label} : décrivez ici le public visé et l'offre proposée.",
            "source": "Citez ici la phrase du texte source dont viennent les règles.",
            "contract": CONTRACT_VERSION,
            "thema_version": __version__,
            "year": str(date.today().year),
            "today": date.today().isoformat(),
            "seed": str(sum(ord(c) for c in self.code)),
        }


def taken_names() -> set[str]:
    """Scheme codes and plugin names already installed (built-in or third-party), lower-case."""
    from core.plugins import PluginError, build_registry
    from core.settings import Settings

    settings = Settings()
    try:
        registry = build_registry(settings)
    except PluginError:
        # A broken plugin set still lists its built-in names (the package's BUILTIN_PLUGINS tuple).
        package = importlib.import_module(settings.builtin_plugins_module)
        dotted = getattr(package, "BUILTIN_PLUGINS", ())
        return {d.split(".")[-2] if d.endswith(".hooks") else d.split(".")[-1] for d in dotted}
    return {c.lower() for c in registry.schemes} | {p.name.lower() for p in registry.plugins}


def check_code(code: str) -> None:
    """Refuse a code that is not a valid, free scheme code."""
    if not CODE_PATTERN.match(code) or keyword.iskeyword(code):
        raise ScaffoldError(
            f"Code « {code} » invalide : 2 à 40 caractères, minuscules, chiffres et _, "
            "commençant par une lettre (ex. pension_famille)."
        )
    if code in {"core", "plugins", "tests", "thema"} or code in taken_names():
        raise ScaffoldError(f"Le code « {code} » est déjà pris par le cœur ou un plugin installé.")


def check_target(target: Path) -> Path:
    """The resolved target directory, refused inside the thema source tree or over an existing path."""
    resolved = target.expanduser().resolve()
    if (SOURCE_TREE / "pyproject.toml").exists() and resolved.is_relative_to(SOURCE_TREE):
        raise ScaffoldError(
            f"{resolved} est dans l'arborescence de thema ({SOURCE_TREE}) : un plugin vit dans son "
            "propre dépôt. Choisissez un autre dossier avec --dir."
        )
    if resolved.exists():
        raise ScaffoldError(f"{resolved} existe déjà : rien n'a été écrit.")
    return resolved


def render(code: str, target: Path, label: str | None = None) -> list[Path]:
    """Write the plugin package for ``code`` into ``target`` (a new directory); the files written."""
    check_code(code)
    root = check_target(target)
    names = Names(code, label or f"Dispositif {code.replace('_', ' ')}")
    values = names.values()
    written: list[Path] = []
    for source in sorted(p for p in TEMPLATES.rglob("*.tmpl") if p.is_file()):
        relative = source.relative_to(TEMPLATES).with_suffix("")
        parts = [
            part.replace("__package__", values["package"]).replace("__code__", code)
            for part in relative.parts
        ]
        destination = root.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = _Template(source.read_text(encoding="utf-8")).substitute(values)
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    return written


@app.command("new")
def new(
    code: str = typer.Argument(..., help="Scheme code: lower_snake_case, the prefix of every name."),
    directory: Path | None = typer.Option(
        None, "--dir", help="Where to write the package (default: ./thema-<code>); must not exist."
    ),
    label: str | None = typer.Option(
        None, help="French label of the scheme (default: « Dispositif <code> »)."
    ),
) -> None:
    """Write a ready plugin package: installs with pip, passes its own tests."""
    target = directory or Path.cwd() / f"thema-{code}"
    try:
        files = render(code, target, label)
    except ScaffoldError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    root = target.expanduser().resolve()
    console.print(f"Plugin « {code} » écrit dans {root} ({len(files)} fichiers).")
    console.print("Ensuite :")
    console.print(f"  pip install --no-build-isolation --no-deps {root}")
    console.print(f"  pytest {root / 'tests'}")
    console.print("  thema plugins")
