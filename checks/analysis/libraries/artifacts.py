"""Saving and loading models: pickle and its relatives (code runs on load), safe formats and
registries (skops, safetensors, ONNX, MLflow), the wall clock."""
from wicked_data.checks.analysis.libraries.table import Library, rows

SERIALISATION = Library("pickle", "serialised artifacts", (
    *rows("save", "pickle.dump", "joblib.dump", "cloudpickle.dump", "dill.dump", "sklearn.externals.joblib.dump",
          "skops.io.dump", "pandas.to_pickle"),
    *rows("save_method", "save_model", "save", "save_pretrained", "to_pickle"),
    *rows("load_unsafe", "pickle.load", "pickle.loads", "joblib.load", "sklearn.externals.joblib.load",
          "cloudpickle.load", "cloudpickle.loads", "dill.load", "dill.loads", "_pickle.load", "cPickle.load"),
    *rows("load_safe", "skops.io.load", "safetensors.torch.load_file", "safetensors.numpy.load_file",
          "safetensors.safe_open", "onnxruntime.InferenceSession", "onnx.load", "spacy.load",
          "sentence_transformers.SentenceTransformer"),
    *rows("write", "joblib.dump", "pickle.dump", "cloudpickle.dump", "pandas.to_pickle"),
))
MLFLOW = Library("mlflow", "MLflow", (
    *rows("save", "mlflow.sklearn.log_model", "mlflow.pyfunc.log_model"),
    *rows("load_safe", "mlflow.pyfunc.load_model", "mlflow.sklearn.load_model", "mlflow.pytorch.load_model",
          "mlflow.xgboost.load_model", "mlflow.lightgbm.load_model"),
))
CLOCKS = Library("datetime", "the wall clock", (
    *rows("clock", "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
          "datetime.date.today", "time.time", "time.time_ns", "time.localtime", "time.gmtime", "arrow.now",
          "arrow.utcnow", "pendulum.now", "pendulum.today", "django.utils.timezone.now"),
))
