"""The routes' request and response models, made from the served model's spec: the
OpenAPI description (``/docs``) says what this model takes (texts, series or arrays)
and answers (its class names, its forecast columns), not a generic "any JSON"."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from zoo.serving.service import INSTANCES, SERIES, TEXTS, Service

Number = Annotated[float, Field(allow_inf_nan=False)]
Series = list[Number] | list[list[Number]]
# With future covariates: rows of the inputs, null over the horizon, then the covariates.
SeriesAhead = list[list[Number | None]]
Forbid = ConfigDict(extra="forbid")


def predict_request(service: Service) -> type[BaseModel]:
    """``{"texts": [...]}`` for a text model; ``{"series": [...]}`` or ``{"instances":
    [...]}`` for a forecaster; ``{"instances": [...]}`` for any other model."""
    text = Annotated[str, StringConstraints(min_length=1)]
    fields: dict[str, Any] = {
        TEXTS: {TEXTS: (list[text], Field(description="the texts to classify or tag"))},
        SERIES: {
            SERIES: (
                list[SeriesAhead if service.future else Series] | None,
                Field(None, description=_series_help(service)),
            ),
            INSTANCES: (list[Any] | None, Field(None, description="windows as the model takes")),
        },
        INSTANCES: {INSTANCES: (list[Any], Field(description=service.accepts()))},
    }[service.takes]
    example = service.example()
    config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [example]} if example else None
    )
    return create_model("PredictRequest", __config__=config, **fields)


def _series_help(service: Service) -> str:
    if service.future is None:
        return "series in the data's units; the last window is read"
    count, horizon = service.future
    return (
        f"series in the data's units, each a list of rows: the inputs, then the {count} "
        f"future covariates; after the last observed row, {horizon} rows of the horizon "
        "with the inputs null; the last window before them is read"
    )


def predict_response(service: Service) -> type[BaseModel]:
    answer: Any
    if service.answers == "labels":
        label = Literal[tuple(service.classes or ())]  # type: ignore[misc]
        answer = create_model(
            "Labelled",
            text=(str | None, None),
            label=(label, ...),
            probabilities=(dict[str, float], ...),
        )
    elif service.answers == "tags":
        tag = Literal[tuple(service.classes or ())]  # type: ignore[misc]
        answer = create_model(
            "Tagged", text=(str, ...), tokens=(list[str], ...), tags=(list[tag], ...)
        )
    elif service.answers == "forecast":
        answer = create_model(
            "Forecast",
            forecast=(
                list[dict[str, int | float]],
                Field(description=f"per step ahead: step, then {', '.join(_columns(service))}"),
            ),
        )
    else:
        answer = create_model("Outputs", outputs=(list[Any], ...))
    return create_model(
        "PredictResponse",
        predictions=(list[answer], ...),
        warnings=(list[str], Field(default_factory=list)),
    )


def _columns(service: Service) -> list[str]:
    from zoo.inference.commands import quantile_columns

    names = service.forecast_names or []
    return quantile_columns(names, service.bands) if service.bands else names


def generate_request(service: Service) -> type[BaseModel]:
    limits = service.limits
    return create_model(
        "GenerateRequest",
        __config__=Forbid,
        prime=(str | None, Field(None, description="a language model continues it")),
        input=(str | None, Field(None, description="a seq2seq translates it")),
        length=(int, Field(200, ge=1, le=limits.max_generate_length)),
        temperature=(float, Field(1.0, ge=0, allow_inf_nan=False)),
        seed=(int | None, Field(None, description="the same seed draws the same text")),
        beam=(int, Field(1, ge=1, le=limits.max_beam)),
        stream=(bool, Field(False, description="server-sent events, a piece per token")),
    )


class TraceRequest(BaseModel):
    model_config = Forbid
    text: str | None = Field(None, description="for a model of text or tokens")
    instance: list[Any] | None = Field(None, description="one example as the model takes it")
    series: Series | None = Field(None, description="a forecaster's series; its last window")


class ServingRequest(BaseModel):
    """TF Serving's REST request: the row format (``instances``, answered with
    ``predictions``) or the columnar one (``inputs``, answered with ``outputs``)."""

    signature_name: str = "serving_default"
    instances: list[Any] | None = None
    inputs: list[Any] | None = None
