"""The `vervoer` command line: thin over :mod:`vervoer.pipeline`.

One module per command family (:mod:`~vervoer.cli.data`, :mod:`~vervoer.cli.planning`,
:mod:`~vervoer.cli.outputs`, :mod:`~vervoer.cli.compare`, :mod:`~vervoer.cli.costs`,
:mod:`~vervoer.cli.study`);
options and error handling in :mod:`~vervoer.cli.options`. Imports flow one way: this
group imports the commands.

Exit codes: 0 ok, 1 unexpected error or a failed check, 2 bad input, 3 road-data problem.
"""

from __future__ import annotations

import click

from vervoer.cli import compare, costs, data, outputs, planning, serve, study


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "VERVOER"}
)
@click.version_option(package_name="vervoer")
def main() -> None:
    """Plan shared group transport for day activities (OpenStreetMap + OR-Tools).

    Everything runs offline on a local OSM extract; no participant data leaves the machine.
    """


for command in (
    data.validate,
    data.network,
    data.geocode,
    planning.plan,
    planning.check,
    planning.replan,
    planning.demo,
    planning.bench,
    outputs.map_command,
    outputs.sheets_command,
    outputs.export_command,
    compare.compare,
    compare.whatif,
    study.study,
    costs.costs_command,
    serve.serve,
    serve.users,
):
    main.add_command(command)
