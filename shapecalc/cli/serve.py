"""``shapecalc serve``: the local playground page."""

from __future__ import annotations

import click

from .options import Command, shown_default


@click.command(cls=Command)
@shown_default(
    "--host",
    None,
    "127.0.0.1",
    "Address to listen on; anything but this machine's loopback is warned about.",
)
@shown_default("--port", click.IntRange(0, 65535), 0, "Port to listen on; 0 takes a free one.")
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@click.option("--verbose", is_flag=True, help="Log every request on standard error.")
def serve(host: str, port: int, no_browser: bool, verbose: bool) -> None:
    """Serve the playground page on this machine: type a spec, see the table, the drawing,
    the worked arithmetic and the solutions as you type. Ctrl-C stops it.

    \b
    shapecalc serve
    shapecalc serve --port 8000 --no-browser
    """
    from ..serve import make_server
    from ..serve.server import is_loopback

    try:
        server = make_server(host, port, verbose)
    except OSError as err:
        raise click.UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    if not is_loopback(host):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine on port "
            f"{server.port} can use the playground",
            err=True,
        )
    import threading

    from ..serve.api import warm_up

    threading.Thread(target=warm_up, name="shapecalc-warm-up", daemon=True).start()
    click.echo(f"shapecalc playground at {server.url} (Ctrl-C stops it)")
    if not no_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
