"""The HTTP app of ``zoo serve``: FastAPI routes over one ``Service``.

Every call that touches the model runs on one thread (``model_thread``): TensorFlow's
traced functions and the tracer's recording are not made for several threads at once,
and one thread, fed gathered batches, keeps the model busy. Every error is JSON with
one line, ``{"error": "..."}``, as TF Serving answers; none stops the server.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from zoo.serving import schemas
from zoo.serving.batching import Batcher
from zoo.serving.service import Limits, RequestError, Service

PAGE = files("zoo.serving") / "page"
DONE = object()
DEFAULT_LIMITS = Limits()
KEY_ERRORS = ("extra_forbidden", "missing")


def create_app(
    target: Path | str,
    limits: Limits = DEFAULT_LIMITS,
    batching: bool = True,
    unsafe: bool = False,
    warm_every_size: bool = False,
) -> FastAPI:
    """The app serving ``target`` (a run directory or a .keras file); ``app.state.service``
    is its ``Service``, its forward pass traced for one example (``warm_every_size``: for
    every batch size it pads to, as ``zoo serve`` does before it listens).

    The model is opened on the thread that will run it: Keras names the layers and ops
    it builds (the decoders, the tracer's sub-models) by per-thread counters, and names
    made on two threads collide."""
    model_thread = ThreadPoolExecutor(1, thread_name_prefix="model")
    service = model_thread.submit(_service, target, limits, unsafe, warm_every_size).result()
    batcher = Batcher(service.run, model_thread, limits.max_batch, limits.batch_wait_s, batching)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        yield
        model_thread.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        lifespan=lifespan,
        title=f"zoo serve: {service.name}",
        description=f"A {service.spec.architecture} {service.spec.cell or ''} model from "
        f"{service.opened.path}. It takes {service.accepts()}.",
        version="1",
    )
    app.state.service = service
    app.add_middleware(JsonBody, limit=limits.max_body_bytes)
    _errors(app, service)

    async def on_model(function: Any, *args: Any) -> Any:
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(model_thread, function, *args)

    PredictRequest = schemas.predict_request(service)
    PredictResponse = schemas.predict_response(service)
    GenerateRequest = schemas.generate_request(service)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return (PAGE / "index.html").read_text(encoding="utf-8")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # none: a browser asks, and is not refused

    @app.get("/page/{name}", include_in_schema=False)
    def page_file(name: str) -> Response:
        kinds = {"page.js": "text/javascript", "page.css": "text/css"}
        if name not in kinds:
            raise HTTPException(404, f"no page file {name!r}")
        return Response((PAGE / name).read_text(encoding="utf-8"), media_type=kinds[name])

    @app.get("/health", summary="whether the model is loaded, and how busy it has been")
    def health() -> dict[str, Any]:
        counts = batcher.counts
        return {
            "status": "ok",
            "model": service.name,
            "requests": counts.requests,
            "forward_passes": counts.passes,
            "mean_batch": round(counts.mean_batch, 2),
        }

    @app.get("/info", summary="the model: what it takes, what it answers, its spec")
    def info() -> dict[str, Any]:
        return service.info()

    @app.post(
        "/predict",
        response_model=PredictResponse,
        summary="the model's answers, in the data's terms (labels, tags, forecasts)",
    )
    async def predict(request: PredictRequest) -> Any:  # type: ignore[valid-type]
        batch = service.batch(request.model_dump())  # type: ignore[attr-defined]
        outputs = await batcher(batch.key, batch.inputs)
        return await on_model(batch.finish, outputs)

    @app.post("/generate", summary="a language model's continuation or a seq2seq's translation")
    async def generate(request: GenerateRequest) -> Any:  # type: ignore[valid-type]
        asked = request.model_dump()  # type: ignore[attr-defined]
        rules = [asked[k] for k in ("prime", "input", "length", "temperature", "seed", "beam")]
        start, pieces = await on_model(service.generation, *rules)
        if not asked["stream"]:
            made = "".join(await on_model(list, pieces))
            return {**start, "text": start.get("prime", "") + made}

        async def events() -> Any:
            made = []
            while (piece := await on_model(next, pieces, DONE)) is not DONE:
                made.append(piece)
                yield f"data: {json.dumps({'piece': piece}, ensure_ascii=False)}\n\n"
            done = {**start, "text": start.get("prime", "") + "".join(made)}
            yield f"event: done\ndata: {json.dumps(done, ensure_ascii=False)}\n\n"

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    @app.post("/trace", summary="the recurrence step by step: every gate and state, per layer")
    async def trace(request: schemas.TraceRequest) -> dict[str, Any]:
        return await on_model(service.trace, request.text, request.instance, request.series)

    @app.get("/v1/models/{name}", summary="TF Serving's model status")
    def serving_status(name: str) -> dict[str, Any]:
        _served(service, name)
        ok = {"error_code": "OK", "error_message": ""}
        return {"model_version_status": [{"version": "1", "state": "AVAILABLE", "status": ok}]}

    @app.post("/v1/models/{name}:predict", summary="TF Serving's REST predict")
    async def serving_predict(name: str, request: schemas.ServingRequest) -> Any:
        _served(service, name)
        if request.signature_name != "serving_default":
            raise RequestError(f"no signature {request.signature_name!r}; serving_default only")
        if (request.instances is None) == (request.inputs is None):
            raise RequestError('give "instances" (the row format) or "inputs" (columnar)')
        batch = service.serving(request.instances or request.inputs)
        outputs = await batcher(batch.key, batch.inputs)
        answer = batch.finish(outputs)
        return answer if request.instances is not None else {"outputs": answer["predictions"]}

    return app


def _service(target: Path | str, limits: Limits, unsafe: bool, every_size: bool) -> Service:
    from zoo.opening import open_model

    service = Service(open_model(target, unsafe), limits)
    service.warm(every_size)
    return service


def _served(service: Service, name: str) -> None:
    if name != service.name:
        # TF Serving's own wording, so its clients recognise it
        raise HTTPException(404, f"Servable not found for request: Latest({name})")


def _errors(app: FastAPI, service: Service) -> None:
    @app.exception_handler(RequestError)
    async def refused(request: Request, error: RequestError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        first = problems[0]
        if first["type"] == "json_invalid":
            context = first.get("ctx", {}).get("error", "")
            return JSONResponse({"error": f"malformed JSON: {context}".rstrip(": ")}, 400)
        keys = [p for p in problems if p["type"] in KEY_ERRORS and len(p["loc"]) == 2]
        if keys and request.url.path == "/predict":  # a key this model does not read
            given = [str(p["loc"][1]) for p in keys if p["type"] == "extra_forbidden"]
            got = f"; got {', '.join(given)}" if given else ""
            return JSONResponse({"error": f"this model takes {service.accepts()}{got}"}, 422)
        where = ".".join(str(part) for part in first["loc"] if part != "body") or "the body"
        message = f"{where}: {first['msg']}"
        if first["type"] == "model_attributes_type":
            message = "the body must be a JSON object"
        more = len(problems) - 1
        return JSONResponse({"error": message + (f" (and {more} more)" if more else "")}, 422)

    @app.exception_handler(HTTPException)
    async def http(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"error": f"the model failed: {type(error).__name__}: {error}"}, 500)


class JsonBody:
    """Every body is JSON: 413 for one over ``limit`` bytes, whether it says its length or
    not (chunked), before any of it is parsed; and read as JSON whatever its content type
    says (``curl -d`` says a form), as TF Serving reads it."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
        scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                too_large = {"error": f"the request is over {self.limit:,} bytes"}
                await JSONResponse(too_large, 413)(scope, receive, send)
                return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:  # after the body, what the server waits for: a disconnect
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
