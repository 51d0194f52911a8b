"""One module per ``berakhlak`` subcommand: ``add_parser(subparsers)`` and ``run(args)``.

A module's ``add_parser`` must call ``parser.set_defaults(run=run)``.
"""

__all__: list[str] = []
