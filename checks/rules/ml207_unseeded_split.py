from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.flowtypes import CallSite
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import last
from wicked_data.checks.analysis.vocab import RANDOM_SPLIT_FUNCS, RESAMPLER_NAMES, SHUFFLED_SPLITTERS, SPLIT_FUNCS, SPLIT_METHODS
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

ALWAYS_RANDOM = SHUFFLED_SPLITTERS | {"RepeatedKFold", "RepeatedStratifiedKFold"}
SHUFFLE_OPTIONAL = {"KFold", "StratifiedKFold", "StratifiedGroupKFold"}
RANDOM_RESAMPLERS = RESAMPLER_NAMES | {"RandomUnderSampler", "ClusterCentroids"}
ROW_SAMPLERS = ("sklearn.utils.resample", "sklearn.utils.shuffle")


class UnseededSplit(Rule):
    """
    ## What it does
    Flags randomness in the data split without a seed: `train_test_split` (shuffled),
    `ShuffleSplit`/`StratifiedShuffleSplit`/`Repeated*KFold`, `KFold(shuffle=True)`, a split by
    `df.sample(...)`, `sklearn.utils.resample`, random over/undersamplers (SMOTE,
    `RandomUnderSampler`...) without `random_state`, and PyTorch `random_split` without a
    `generator`, unless a global seed (`np.random.seed`, `torch.manual_seed` for PyTorch,
    `seed_everything`) is set before.

    ## Why is this bad?
    Every run evaluates on different rows. Scores change from run to run, a model change cannot
    be told apart from split noise, and nobody can reproduce a reported number.

    ## Example
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    ```

    ## Use instead
    Pass a fixed seed (`random_state=`, `seed=`, a seeded `generator=`) to every random split.

    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    ```

    ## Known problems
    Estimator seeds (`RandomForestClassifier(random_state=...)`) are out of scope. A shuffle by
    `df.sample(frac=1)` followed by slicing is not recognised. A seed set in another file, or after
    the split in source order, does not count.
    """

    id = "ML207"
    name = "unseeded-split"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        samples = {id(s.call) for s in module.splits if s.kind == "sample"}
        methods = {id(s.call) for s in module.splits if s.kind == "random_split" and s.call is not None
                   and s.call.method in SPLIT_METHODS}
        for call in module.calls:
            if id(call) in methods:  # Spark's `df.randomSplit(weights, seed)`
                if not _seeded(call, "seed") and len(call.node.args) < 2:
                    yield Hit(f"{call.method}() draws rows at random with no seed; every run evaluates on different "
                              "data. Pass seed=", node=call.node,
                              fix=f"Pass a fixed `seed=` to `{call.method}()` (any constant, kept in the config).")
                continue
            what = self._random_step(call, id(call) in samples)
            if what is None or _seeded(call, "generator" if what == "random_split" else "random_state"):
                continue
            if facts.seeded_before(call.line, torch=what == "random_split"):
                continue
            fix = "a generator=torch.Generator().manual_seed(...)" if what == "random_split" else "random_state="
            seed = "generator=torch.Generator().manual_seed(42)" if what == "random_split" else "random_state=42"
            yield Hit(f"{what} draws rows at random with no seed; every run evaluates on different data. "
                      f"Pass {fix}", node=call.node,
                      fix=f"Pass `{seed}` (any fixed seed, kept in the config) to `{call.short or call.method}`.")

    @staticmethod
    def _random_step(call: CallSite, is_sample_split: bool) -> str | None:
        short = call.short
        if short not in _RANDOM_SHORTS:  # asked of every call: most draw nothing at random
            return "the sample() split" if is_sample_split else None
        if call.is_(*SPLIT_FUNCS):
            shuffle = call.kwarg_node("shuffle")
            return None if isinstance(shuffle, ast.Constant) and shuffle.value is False else "train_test_split"
        if call.method is None and (short in ALWAYS_RANDOM or short in RANDOM_RESAMPLERS):
            return short
        if call.method is None and short in SHUFFLE_OPTIONAL:
            shuffle = call.kwarg_node("shuffle")
            return short if isinstance(shuffle, ast.Constant) and shuffle.value is True else None
        if call.is_(*ROW_SAMPLERS):
            return short
        if call.is_(*RANDOM_SPLIT_FUNCS):
            return "random_split"
        if is_sample_split:
            return "the sample() split"
        return None


# Every name `_random_step` recognises, by its last component.
_RANDOM_SHORTS = {last(n) for n in (*SPLIT_FUNCS, *ROW_SAMPLERS, *RANDOM_SPLIT_FUNCS)} | ALWAYS_RANDOM \
    | RANDOM_RESAMPLERS | SHUFFLE_OPTIONAL


def _seeded(call: CallSite, keyword: str) -> bool:
    node = call.kwarg_node(keyword)
    if keyword == "generator" and node is None and len(call.node.args) >= 3:
        return True
    return node is not None and not (isinstance(node, ast.Constant) and node.value is None)


UnseededSplit.invalid = [
    """
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)  # ruleid: ML207
    """,
    # aliases; a shuffled KFold and a ShuffleSplit without seeds; random_state=None spelled out
    """
    import sklearn.model_selection as ms
    kf = ms.KFold(n_splits=5, shuffle=True)  # ruleid: ML207
    ss = ms.StratifiedShuffleSplit(n_splits=3, test_size=0.2)  # ruleid: ML207
    a, b = ms.train_test_split(df, random_state=None)  # ruleid: ML207
    """,
    # SMOTE inside an imblearn pipeline, unseeded
    """
    from imblearn.pipeline import make_pipeline
    from imblearn.over_sampling import SMOTE
    from sklearn.linear_model import LogisticRegression
    pipe = make_pipeline(SMOTE(), LogisticRegression())  # ruleid: ML207
    """,
    # a pandas sample/drop split in a helper
    """
    def holdout(frame):
        train = frame.sample(frac=0.8)  # ruleid: ML207
        return train, frame.drop(train.index)

    train, test = holdout(df)
    """,
    # PyTorch random_split without a generator, in a notebook
    {"train.ipynb": """
    import torch
    from torch.utils.data import random_split
    # %%
    train_ds, val_ds = random_split(dataset, [800, 200])  # ruleid: ML207
    """},
    # the seed is set only after the split
    """
    import numpy as np
    from sklearn.model_selection import train_test_split
    X_train, X_test = train_test_split(X)  # ruleid: ML207
    np.random.seed(0)
    """,
]

UnseededSplit.valid = [
    """
    from sklearn.model_selection import train_test_split, StratifiedKFold
    SEED = 42
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=SEED)
    cv = StratifiedKFold(5, shuffle=True, random_state=SEED)
    """,
    # unshuffled splits are deterministic
    """
    from sklearn.model_selection import train_test_split, KFold, TimeSeriesSplit
    train, test = train_test_split(df, shuffle=False)
    folds = KFold(5)
    ts = TimeSeriesSplit(5)
    """,
    # a global numpy seed before the split
    """
    import numpy as np
    from sklearn.model_selection import train_test_split
    np.random.seed(7)
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    """,
    # seeded resamplers and a seeded torch split
    """
    import torch
    from imblearn.over_sampling import SMOTE
    from torch.utils.data import random_split
    X_res, y_res = SMOTE(random_state=0).fit_resample(X_train, y_train)
    train_ds, val_ds = random_split(ds, [0.9, 0.1], generator=torch.Generator().manual_seed(1))
    """,
    # a project seed helper called first; estimator seeds are out of scope
    """
    from lightning import seed_everything
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    seed_everything(13)
    parts = train_test_split(X, y)
    RandomForestClassifier()
    """,
]
