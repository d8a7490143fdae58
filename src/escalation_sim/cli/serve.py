"""`escalation-sim app`: serve the classroom web app (Solara) in its own process, checked before it starts (the
port, the sessions folder, the address students type), and stopped with this process.

The command line never imports the app itself (tests/test_layers.py keeps them apart), so `--help` never loads
Solara.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import CLASSROOM, console, errors, examples, fail, open_scenario

LOOPBACK = "127.0.0.1"


# --- app -----------------------------------------------------------------------------------------------------


def app_command(
    scenario: Annotated[str, typer.Argument(help="Scenario to open first (file or shipped name).")] = "jan2020",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8765,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default serves this computer only; 0.0.0.0 exposes "
            "the app to the whole network."
        ),
    ] = LOOPBACK,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open a browser tab.")] = False,
    sessions: Annotated[
        Path | None,
        typer.Option(
            help="Folder where class sessions are saved as they go and restored from after a restart "
            "(default: ~/.local/share/escalation-sim/sessions)."
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            help="The address students type to reach the server, for the seat links and QR codes "
            "(default: http://HOST:PORT/, with this machine's network address when HOST is 0.0.0.0)."
        ),
    ] = None,
) -> None:
    """Serve the classroom web app: sliders, step/play/reset, timeline, decision trace, actor network,
    play-as-an-actor with buttons, and class sessions (/instructor opens one; each team opens its seat's link).
    Front-end files are served locally (works offline). Ctrl-C or SIGTERM stops the server.
    """
    path, _ = open_scenario(scenario)
    problem = folder_problem(sessions) if sessions is not None else ""
    if problem:
        raise fail(f"--sessions {sessions}: {problem}; give a folder this user can write")
    if url is not None and not url.startswith(("http://", "https://")):
        raise fail(f"--url {url!r}: give the address students type, starting with http:// or https://")
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401  # the front end, so that no page asks a CDN
    except ImportError as exc:
        raise fail(
            f"the app needs the 'app' extra ({exc.name} is missing): pip install 'escalation-sim[app]'"
        ) from None
    if host in ("0.0.0.0", "::"):
        errors.print(f"[yellow]warning:[/] --host {host} serves the app to every machine that can reach this one")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is fine
            probe.bind((host, port))
    except OSError as exc:
        raise fail(
            f"cannot listen on {host}:{port} ({exc.strerror}); pass another --port, e.g. --port {port + 1}"
        ) from None
    env = dict(os.environ)
    env.update(app_environment(path))
    env["ESCALATION_SIM_APP_URL"] = (url or public_url(host, port)).rstrip("/")
    if sessions is not None:
        env["ESCALATION_SIM_APP_SESSIONS"] = str(sessions.resolve())
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "escalation_sim.classroom.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--log-level",
        "warning",
    ]
    console.print(f"serving {path} at {env['ESCALATION_SIM_APP_URL']}/  (Ctrl-C stops it)", markup=False)
    from ..classroom.sessions import sessions_folder  # the app's own rule for the default folder

    kept = env.get("ESCALATION_SIM_APP_SESSIONS") or sessions_folder()
    console.print(f"class sessions are saved in {kept} (restored after a restart)", markup=False)
    raise typer.Exit(serve(command, env))


def public_url(host: str, port: int) -> str:
    """The address others use: HOST itself, or this machine's address on the network it would reach out on when
    HOST listens on every interface (no packet is sent to find it)."""
    shown = host
    if host in ("0.0.0.0", "::"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("192.0.2.1", 9))
                shown = probe.getsockname()[0]
        except OSError:
            shown = socket.gethostname()
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def folder_problem(folder: Path) -> str:
    """Why sessions cannot be saved in `folder` ("" if they can): it must be a folder this user can write."""
    if folder.exists() and not folder.is_dir():
        return "not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create it ({exc.strerror})"
    return "" if os.access(folder, os.W_OK | os.X_OK) else "not writable"


def serve(command: list[str], env: dict[str, str], grace: float = 10.0) -> int:
    """Run the server until it ends, or until this process gets SIGTERM or SIGINT: then stop the server too
    (SIGTERM, then SIGKILL after `grace` seconds), so that no server is left serving the port."""
    server = subprocess.Popen(command, env=env)
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = server.wait(timeout=grace if stopping else None)
                break
            except subprocess.TimeoutExpired:
                server.kill()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0 if stopping else code


def app_environment(scenario_path: Path) -> dict[str, str]:
    """Environment of the app's server: the scenario to open, and no telemetry leaving the machine."""
    return {
        "ESCALATION_SIM_APP_SCENARIO": str(scenario_path.resolve()),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "MPLBACKEND": "Agg",
        # Solara's samesite=lax fallback over http is right here; its 10-line warning on the first request is noise
        "SOLARA_THEME_SHOW_BANNER": "False",  # its badge sat over the page's bottom-right corner
        "SOLARA_THEME_TITLE": "escalation-sim",
        "PYTHONWARNINGS": "ignore:Cookies with samesite=none require https:UserWarning",
    }


def register(app: typer.Typer) -> None:
    app.command(
        name="app",
        rich_help_panel=CLASSROOM,
        epilog=examples(
            "escalation-sim app                      # jan2020 at http://127.0.0.1:8765/",
            "escalation-sim app scenarios/two_state.yaml --port 8800",
            "escalation-sim app jan2020 --open       # and open a browser tab",
            "escalation-sim app --host 0.0.0.0       # a class session on the classroom network",
            note="Class sessions: open http://HOST:PORT/instructor; it shows each team's own link and QR code.",
        ),
    )(app_command)
