"""``zoo serve``: a trained model behind HTTP (FastAPI on uvicorn, the ``[serve]``
extra). ``service`` answers requests in the user's terms, ``batching`` gathers
concurrent ones into one forward pass, ``app`` is the routes, ``schemas`` their
request and response models made from the spec, and ``page/`` the page at ``/``."""

from pathlib import Path
from typing import Any

from zoo.serving.service import Limits, RequestError, Service

__all__ = ["Limits", "RequestError", "Service", "create_app"]

DEFAULT = Limits()


def create_app(
    target: Path | str,
    limits: Limits = DEFAULT,
    batching: bool = True,
    unsafe: bool = False,
    warm_every_size: bool = False,
) -> Any:
    """The FastAPI app serving ``target`` (FastAPI is imported only here)."""
    from zoo.serving.app import create_app as app

    return app(target, limits, batching, unsafe, warm_every_size)
