"""`python -m sandbox`: run the local Clio and LegalConnect servers until Ctrl+C."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from sandbox.common.faults import Faults
from sandbox.launcher import SandboxWorld


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    p.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    p.add_argument("--clio-port", type=int, default=0, help="Clio emulator port (0 = a free port)")
    p.add_argument("--legalconnect-port", type=int, default=0, help="LegalConnect port (0 = free)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".sandbox-data"),
        help="where both servers keep their databases and files (seeded on first use)",
    )
    p.add_argument(
        "--scale",
        choices=["demo", "bench"],
        default="demo",
        help="bench adds 2,000 matters and a folder of 2,000 items",
    )
    knobs = p.add_argument_group("fault knobs (both servers; change them later via /_sandbox/faults)")
    knobs.add_argument("--latency-ms", type=float, default=0.0)
    knobs.add_argument("--jitter-ms", type=float, default=0.0)
    knobs.add_argument("--error-rate", type=float, default=0.0, help="share of 503 answers, 0..1")
    knobs.add_argument("--drop-rate", type=float, default=0.0, help="share of cut connections, 0..1")
    knobs.add_argument("--rate-limit", type=int, default=50, help="Clio requests per token per minute")
    knobs.add_argument(
        "--token-lifetime", type=int, default=30 * 24 * 3600, help="Clio access-token lifetime in seconds"
    )
    knobs.add_argument(
        "--storage-url-lifetime", type=int, default=600, help="Clio signed storage URL lifetime in seconds"
    )
    knobs.add_argument(
        "--clerk-delay",
        type=float,
        default=3.0,
        help="seconds before the court clerk decides a submitted order",
    )
    knobs.add_argument("--seed", type=int, default=None, help="seed for the random fault choices")
    knobs.add_argument(
        "--sso-login",
        action="store_true",
        help="Clio sends sign-ins through the firm's identity provider (single sign-on)",
    )
    return p


def _faults(args: argparse.Namespace) -> Faults:
    return Faults(
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        error_rate=args.error_rate,
        drop_rate=args.drop_rate,
        rate_limit_per_minute=args.rate_limit,
        access_token_lifetime_s=args.token_lifetime,
        storage_url_lifetime_s=args.storage_url_lifetime,
        clerk_delay_s=args.clerk_delay,
        sso_login=args.sso_login,
        seed=args.seed,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    world = SandboxWorld(
        args.data_dir,
        host=args.host,
        clio_port=args.clio_port,
        legalconnect_port=args.legalconnect_port,
        scale=args.scale,
        clio_faults=_faults(args),
        legalconnect_faults=_faults(args),
        log_level="info",
    )
    print(f"Seeding and starting the sandbox in {args.data_dir} …", flush=True)
    ep = world.start(timeout=600)
    # Handlers go in before the banner: whoever waits for "Press Ctrl+C" may signal at once.
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(
        f"""
Clio emulator         {ep.clio.base_url}
  API                 {ep.clio.api_url}   (X-API-VERSION {ep.clio.api_version})
  OAuth client id     {ep.clio.client_id}
  redirect URI        {ep.clio.redirect_uri}
  sign in as          {ep.clio.demo_user.email} / {ep.clio.demo_user.password}
  firm's sign-in      {ep.clio.identity_provider_url}   (single sign-on, when sso_login is on)
LegalConnect          {ep.legalconnect.base_url}   ({ep.legalconnect.provider_name})
  API                 {ep.legalconnect.api_url}
  OpenAPI document    {ep.legalconnect.openapi_url}
  sign in as          {ep.legalconnect.demo_user.email} / {ep.legalconnect.demo_user.password}
Fault knobs           PATCH <base>/_sandbox/faults  (loopback only)
Endpoints written to  {args.data_dir / "endpoints.json"}
Press Ctrl+C to stop.""",
        flush=True,
    )
    stop.wait()
    world.stop()
    print("Sandbox stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
