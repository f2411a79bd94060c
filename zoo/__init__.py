"""A Keras model zoo for recurrent networks, driven by declarative YAML specs.

    import zoo
    spec = zoo.load_spec("specs/hello.yaml", overrides={"model.units": 32})
    model = zoo.build(spec)            # a compiled keras.Model
    problems = zoo.validate("specs/hello.yaml")
    run = zoo.train("specs/hello.yaml")  # a run directory with models, history, plots
    zoo.generate(run.directory, prime="hell", length=1, temperature=0)  # "hello"
    sweep = zoo.tune("specs/adding_sweep.yaml")  # trials.csv, best.yaml; sweep.best
    zoo.export(run.directory, "onnx")  # beside best.keras, checked by onnxruntime
    zoo.trace("hello_seed", text="hell").rows()  # every step's gates and states
    zoo.compare(["runs/adding_rnn-TIME", "runs/adding_gru-TIME"])  # a row per run, best first
    zoo.backtest("runs/airline_gru-TIME").overall("model")  # MAE, RMSE, MASE, sMAPE

Importing ``zoo`` does not import TensorFlow; building a model does.
"""

from zoo.api import build, load_spec, validate
from zoo.errors import Problem, SpecError
from zoo.saving import ModelRecord, load_model, read_record, read_spec, save_model
from zoo.spec import Spec, to_yaml

__all__ = [
    "ModelRecord",
    "Problem",
    "Spec",
    "SpecError",
    "backtest",
    "build",
    "compare",
    "evaluate",
    "export",
    "generate",
    "load_model",
    "load_spec",
    "predict",
    "read_record",
    "read_spec",
    "samples",
    "save_model",
    "to_yaml",
    "trace",
    "train",
    "tune",
    "validate",
]

# Training and inference import TensorFlow: they load on first use, so that
# `import zoo` and validating a spec stay fast.
_LAZY = {
    "train": "zoo.training",
    "evaluate": "zoo.inference",
    "predict": "zoo.inference",
    "generate": "zoo.inference",
    "samples": "zoo.inference",
    "export": "zoo.exporting",
    "tune": "zoo.tuning.sweep",
    "trace": "zoo.tracing",
    "compare": "zoo.comparing",
    "backtest": "zoo.backtesting",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")
