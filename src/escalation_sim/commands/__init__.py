"""Further CLI commands, one module per family: each module defines `register(app: typer.Typer) -> None`.

`escalation_sim.cli` imports every module here and calls its `register`, so a new command family never
edits cli.py.
"""
