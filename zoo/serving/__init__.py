"""``zoo serve``: a trained model behind HTTP (FastAPI on uvicorn, the ``[serve]``
extra). ``service`` answers requests in the user's terms, ``batching`` gathers
concurrent ones into one forward pass, ``app`` is the routes, ``schemas`` their
request and response models made from the spec, and ``page/`` the page at ``/``."""

from typing import Any

from zoo.serving.service import Limits, RequestError, Service

__all__ = ["Limits", "RequestError", "Service", "create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` from ``zoo.serving.app``, imported when first asked for: FastAPI
    loads only where a server is made."""
    if name == "create_app":
        from zoo.serving.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
