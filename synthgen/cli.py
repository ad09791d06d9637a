"""The ``synthgen`` command line. Every command calls the same functions as the Python API.

Exit codes: 0 ok; 1 internal error (traceback kept) or a failed ``validate``/``replay``;
2 user error: one line naming the flag/field/file and the fix, and nothing partial written;
3 disk full (temporary files removed; rerun the same command once space is freed);
130 / 143 stopped by SIGINT (Ctrl-C) / SIGTERM (rerun the same command to resume).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from synthgen import __version__
from synthgen.errors import DiskFull, UserError
from synthgen.plan import plan_command
from synthgen.stopping import STOPPED_MESSAGE, Stopped, stop_on_signals

EPILOG = (
    "Docs: README.md. Exit codes: 0 ok, 1 internal error or failed check, 2 user error, "
    "3 disk full, 130/143 stopped by SIGINT/SIGTERM (rerun to resume)."
)


class _RunStopped(Exception):
    """Carries a :class:`Stopped` past click, which would turn a KeyboardInterrupt into a
    bare ``Abort`` (a blank line)."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


@click.group(epilog=EPILOG)
@click.version_option(__version__, prog_name="synthgen")
def cli() -> None:
    """synthgen: typed generator programs that make verified multimodal training data."""


cli.add_command(plan_command)


def _make_options(fn: Any) -> Any:
    options = [
        click.option("--n", "n", required=True, help="accepted records to make: 1000, 1_000, 1e6"),
        click.option(
            "--out",
            type=click.Path(path_type=Path),
            default=None,
            help="dataset directory [default: out/NAME]",
        ),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True),
        click.option(
            "--workers",
            type=click.IntRange(min=0),
            default=0,
            help="worker processes [default: number of CPUs]",
        ),
        click.option(
            "--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True
        ),
        click.option(
            "--ray-address",
            default=None,
            help="Ray cluster address; a local Ray is started when omitted",
        ),
        click.option(
            "--format",
            "format_",
            type=click.Choice(["jsonl", "webdataset", "parquet"]),
            default="jsonl",
            show_default=True,
        ),
        click.option(
            "--encoder",
            "encoders",
            multiple=True,
            help="media encoder(s): png (default), jpg, webp; wav (default), flac",
        ),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="KEY=VALUE",
            help="program config override, repeatable; dotted keys for nested fields",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path),
            default=None,
            help="TOML file of program config fields",
        ),
        click.option(
            "--shard-size",
            type=click.IntRange(min=1),
            default=None,
            help="candidates per shard [default: 1000]",
        ),
        click.option("--dataset", default=None, help="dataset name used in record ids"),
        click.option(
            "--on-error",
            type=click.Choice(["raise", "reject"]),
            default="raise",
            show_default=True,
            help="a program exception fails the run or rejects",
        ),
        click.option("--overwrite", is_flag=True, help="replace a different dataset in --out"),
        click.option(
            "--log-format",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help="json: one JSON line per shard event on stdout",
        ),
        click.option(
            "--progress/--no-progress",
            default=None,
            help="live progress bar [default: on when stderr is a terminal]",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _run_make(
    name: str,
    *,
    n: str,
    out: Path | None,
    log_format: str,
    progress: bool | None,
    sets: tuple[str, ...] = (),
    config: dict[str, Any] | None = None,
    **kwargs: Any,
) -> int:
    from synthgen.config import deep_merge, parse_overrides
    from synthgen.engine import make
    from synthgen.progress import JsonLogReporter, RichReporter, summary_line

    overrides = deep_merge(config or {}, parse_overrides(sets))
    reporter: Any = None
    if log_format == "json":
        reporter = JsonLogReporter()
    elif progress or (progress is None and sys.stderr.isatty()):
        reporter = RichReporter()
    started = time.perf_counter()
    try:
        manifest = make(
            name,
            n,
            out if out is not None else Path("out") / name,
            progress=reporter,
            config=overrides,
            **kwargs,
        )
    except Stopped as stopped:
        raise _RunStopped(stopped.exit_code) from None
    finally:
        if isinstance(reporter, RichReporter):
            reporter.close()
    if log_format == "text":
        click.echo(summary_line(manifest, time.perf_counter() - started))
    return 0


@cli.command(epilog=EPILOG)
@click.argument("name")
@_make_options
def make(
    name: str,
    n: str,
    out: Path | None,
    seed: int,
    workers: int,
    executor: str,
    ray_address: str | None,
    format_: str,
    encoders: tuple[str, ...],
    sets: tuple[str, ...],
    config_file: Path | None,
    shard_size: int | None,
    dataset: str | None,
    on_error: str,
    overwrite: bool,
    log_format: str,
    progress: bool | None,
) -> int:
    """Make dataset NAME: --n accepted records, sharded, resumable (rerun to resume)."""
    return _run_make(
        name,
        n=n,
        out=out,
        seed=seed,
        workers=workers,
        executor=executor,
        ray_address=ray_address,
        format=format_,
        encoders=list(encoders),
        sets=sets,
        config_file=config_file,
        shard_size=shard_size,
        dataset=dataset,
        on_error=on_error,
        overwrite=overwrite,
        log_format=log_format,
        progress=progress,
    )


@cli.command("list")
def list_programs() -> int:
    """List the registered programs, one per line."""
    from synthgen.program import programs

    for name, cls in programs.items():
        click.echo(f"{name}\t{cls.version}\t{cls.description}")
    return 0


@cli.command()
@click.argument("name")
def schema(name: str) -> int:
    """Print the JSON Schema of program NAME's records."""
    from synthgen.program import programs

    click.echo(json.dumps(programs.get(name).Record.model_json_schema(), indent=2))
    return 0


@cli.command("config")
@click.argument("name")
@click.option("--toml", "as_toml", is_flag=True, help="print a job file's [config] block")
def config_command(name: str, as_toml: bool) -> int:
    """List every config field of program NAME (the --set keys): type, default, allowed
    values, description; nested tables as dotted keys (qa.per_image, llm.base_url)."""
    from synthgen.config import config_toml, describe_config, world_docs
    from synthgen.program import programs

    program = programs.get(name)
    if as_toml:
        click.echo(f"# {program.name} {program.version}: every config field at its default")
        click.echo(config_toml(program.Config), nl=False)
        return 0
    docs = describe_config(program.Config)
    click.echo(
        f"{program.name} {program.version} config: --set KEY=VALUE (TOML values), --config "
        f"FILE.toml, or [config] in a job file (`synthgen config {name} --toml`)"
    )
    if not docs:
        click.echo("  (no config fields)")
    for doc in docs:
        click.echo(_field_line(doc))
    for key, others in world_docs(program.Config).items():
        field, world = key.split(":", 1)
        click.echo(f'\n{field}.* when {field}.name = {world!r} (--set {field}="{world}"):')
        for doc in others:
            click.echo(_field_line(doc))
    return 0


def _field_line(doc: Any) -> str:
    from synthgen.config import toml_value

    head = f"  {doc.name}: {doc.type}"
    if doc.type != "table" and doc.has_default:
        shown = "unset" if doc.default is None else toml_value(doc.default)
        head += f" = {shown}"
    if doc.constraints:
        head += f"  ({doc.constraints})"
    lines = [head]
    if doc.description:
        lines.append(f"      {doc.description}")
    return "\n".join(lines)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
def validate(directory: Path) -> int:
    """Check every record, media file and manifest entry of a dataset."""
    from synthgen.validate import validate_dataset

    report = validate_dataset(directory)
    for note in report.notes:
        click.echo(f"note: {note}")
    for problem in report.problems:
        click.echo(problem)
    if report.problems:
        click.echo(f"INVALID: {len(report.problems)} problem(s) in {directory}")
        return 1
    click.echo(f"OK: {directory} is valid")
    return 0


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.argument("record_id")
def replay(directory: Path, record_id: str) -> int:
    """Regenerate record RECORD_ID of a dataset and compare it byte for byte."""
    from synthgen.replay import replay as replay_record

    result = replay_record(directory, record_id)
    if result.identical:
        click.echo(f"identical: {record_id} regenerates byte for byte")
        return 0
    click.echo(f"differs: {record_id}: {'; '.join(result.differences)}")
    return 1


class _ExportCommand(click.Command):
    """``export --help`` lists every registered format, one line each (imported lazily)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from synthgen.export import format_rows

        with formatter.section("Formats (--to)"):
            formatter.write_dl(format_rows())
        formatter.write_paragraph()
        formatter.write_text(EPILOG)


@cli.command(cls=_ExportCommand)
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, help="export format (listed below)")
@click.option(
    "--absolute-paths",
    is_flag=True,
    help="JSON formats: absolute media paths [default: relative to OUT's directory]",
)
@click.option(
    "--all-relations",
    is_flag=True,
    help="vg: keep inverse duplicates and same-attribute pairs (VG states each relation once)",
)
@click.argument("out", type=click.Path(path_type=Path))
def export(
    directory: Path, to: str, out: Path, absolute_paths: bool, all_relations: bool
) -> int:
    """Export the records of dataset DIRECTORY to OUT in a training format. A format that
    would write nothing for the dataset exits 2 naming the formats that fit."""
    from synthgen.export import export_dataset

    count = export_dataset(
        directory, to, out, absolute_paths=absolute_paths, all_relations=all_relations
    )
    click.echo(f"exported {count} items to {out}")
    return 0


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="records the page holds (the first ones, in index order)",
)
def view(directory: Path, limit: int) -> int:
    """Write DIRECTORY/view/index.html, a static browser of the records (no server, no
    network): page through records, images with boxes and relations, QA, lineage, verdicts,
    rejects by reason."""
    from synthgen.view import write_view

    html = write_view(directory, limit)
    click.echo(f"wrote {html}: open file://{html.resolve()} in a browser")
    return 0


@cli.command()
@click.argument("job_file", type=click.Path(path_type=Path))
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text")
@click.option("--progress/--no-progress", default=None)
def run(job_file: Path, log_format: str, progress: bool | None) -> int:
    """Run a job file (TOML): the same as the equivalent `make`, for scheduled batch runs."""
    from synthgen.jobfile import load_job_file

    spec = load_job_file(job_file)
    args = spec.make_kwargs()
    return _run_make(args.pop("name"), log_format=log_format, progress=progress, **args)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main(argv: list[str] | None = None) -> None:
    """Console entry point: maps errors to exit codes (see module docstring)."""
    try:
        with stop_on_signals():
            code = cli.main(args=argv, prog_name="synthgen", standalone_mode=False)
    except _RunStopped as stopped:
        click.echo(STOPPED_MESSAGE, err=True)
        sys.exit(stopped.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        stopped = exc.__context__
        click.echo(STOPPED_MESSAGE, err=True)
        sys.exit(stopped.exit_code if isinstance(stopped, Stopped) else 130)
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see `{exc.ctx.command_path} --help`)"
        click.echo(f"synthgen: error: {_one_line(exc.format_message())}{hint}", err=True)
        sys.exit(2)
    except (UserError, DiskFull) as exc:
        click.echo(f"synthgen: error: {_one_line(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        click.echo(STOPPED_MESSAGE, err=True)
        sys.exit(exc.exit_code if isinstance(exc, Stopped) else 130)
    sys.exit(code if isinstance(code, int) else 0)
