"""A throw-away certificate authority for the sandbox's HTTPS server, made fresh at every start."""

from __future__ import annotations

import ssl
from pathlib import Path

SANDBOX_EXTRA = "the sandbox needs its extra: pip install 'lnr-audit[sandbox]'"


class SandboxUnavailable(RuntimeError):
    """The sandbox's own dependencies are not installed."""


def throwaway_tls(hosts: tuple[str, ...], directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a certificate for `hosts`, and the CA bundle (PEM) clients must trust."""
    try:
        import trustme
    except ImportError:
        raise SandboxUnavailable(SANDBOX_EXTRA) from None
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert(*dict.fromkeys(hosts)).configure_cert(context)
    bundle = Path(directory) / "sandbox-ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    return context, bundle
