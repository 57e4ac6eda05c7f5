"""The typed shape of one file's result as the engine stores it (in the cache and the snapshot):
its role, findings, the rules it satisfies, the project facts it contributes, what the rules could
apply to, and its blind spots.

`checks.analysis.project.module_facts` and `config_facts` build these facts as plain JSON (the
cache holds JSON); this schema is what a stored result must look like to be used again. It lives
outside `checks.analysis` so that a review served whole from the cache loads no analysis code. A cached
entry that is valid JSON of another shape (an older reviewer, a damaged or hand-edited file) fails
`valid_result` and the file is analysed again instead of crashing a later stage.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from wicked_data.checks.models import Finding, Role


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Derivation(_Strict):
    """How a training file computes a column."""
    expr: str
    line: int
    clock: bool
    steps: list[str]
    divides_by: list[str]
    sorted_codes: bool = False  # a fitted encoder's output, categories numbered in sorted order
    print: "Fingerprint | None" = None


class Fingerprint(_Strict):
    """What one feature is made of (`analysis/featureprint.py`)."""
    reads: list[str]
    settings: list[str] = []
    ops: list[str]
    consts: list[float]
    fills: list[str]
    stats: list[str]
    guarded: bool
    divides: bool
    clock: bool
    params: list[int]
    calls: list[dict[str, Any]]  # other files' functions, by imported name, with their arguments' fingerprints


class BuiltBy(_Strict):
    """The call of another file's function that builds a side's frame."""
    target: str
    line: int
    args: list[Fingerprint]
    others: list["BuiltBy"] = []  # farther calls of other files' functions, tried in order


class FittedTransform(_Strict):
    what: str
    line: int
    saved_to: str | None
    with_model: bool
    kept: bool


class BuilderColumn(_Strict):
    expr: str
    line: int
    steps: list[str]
    divides_by: list[str]
    print: Fingerprint


class Builder(_Strict):
    columns: dict[str, BuilderColumn]
    features: list[str] | None
    features_ref: str | None


class PipelineFacts(_Strict):
    """The file's feature builders, name lists, function fingerprints and re-exported names
    (`analysis/pipelines.py`)."""
    builders: dict[str, Builder]
    lists: dict[str, list[str]]
    summaries: dict[str, Fingerprint]
    aliases: dict[str, str] = {}
    squashed: dict[str, list[str]] = {}  # columns written as a log/root of a value


class FrameStep(_Strict):
    op: str
    line: int
    method: str | None
    fills: dict[str, str] = {}  # a whole-frame fillna: the value per column ("*": every column)


class Dummies(_Strict):
    """One column one-hot encoded by `get_dummies`: the names its dummy columns get."""
    column: str
    prefix: str  # the text before each category ("" when the columns are the bare categories)
    line: int


class TrainingFacts(_Strict):
    features: list[str]
    features_line: int
    derivations: dict[str, Derivation]
    frame_steps: list[FrameStep]
    built_by: BuiltBy | None = None
    features_ref: str | None = None
    transforms: list[FittedTransform] = []
    label: "LabelFacts | None" = None
    rebalanced: "Rebalanced | None" = None
    dummies: list[Dummies] = []


class Rebalanced(_Strict):
    """The saved classifier is fitted on resampled rows, with no calibration after."""
    line: int
    by: str
    at: int
    paths: list[str] | None = None  # the files that hold such a model in the end, when all are named


class LabelFacts(_Strict):
    """How the saved model's label is made: the log/root applied to it and the columns it reads."""
    ops: list[str]
    reads: list[str]
    line: int


class ServedFeature(_Strict):
    name: str
    expr: str
    line: int
    steps: list[str]
    divides_by: list[str]
    scalar: bool
    field: str | None = None  # the record field a value laid out by position was read from
    codes: dict[str, int] | None = None  # the codes a hand-written category map gives
    print: Fingerprint | None = None
    present: bool = False  # the value cannot be missing (an int() of one value, a required form field)


class ServingFacts(_Strict):
    """The frame a serving file hands to `predict`."""
    features: list[ServedFeature]
    line: int
    steps: list[str]
    predict_line: int = 0  # (absent from a `fallback` frame)
    refits: list[int] = []
    positional: bool = False
    by_position: bool = False  # values with no field name, known by position only (`[[age, sex, chol]]`)
    passthrough: bool = False
    built_by: BuiltBy | None = None
    unnamed: bool = False  # a frame whose columns the review cannot name (an array, a DMatrix)
    unresolved: bool = False  # built by another file's function: completed at the project stage
    fallback: "ServingFacts | None" = None  # the frame followed past that function, if the project lacks it
    transform_calls: int = 0
    inverted: bool = True  # predict's output goes through an inverse of a log/root before it leaves
    probabilities: list[int] = []  # predict_proba calls
    input_loaded: bool = False  # the rows predicted on are a deserialised object (already transformed)
    evaluates: bool = False  # every prediction reaches a metric: a held-out evaluation, not a service
    fills: dict[str, str] = {}  # whole-frame fillna on the way to predict: the value per column ("*": every column)
    dummies: list[Dummies] = []
    aligned: bool = False  # the frame is reindexed to the columns the loaded model (or a loaded list) remembers


class ArtifactUse(_Strict):
    path: str | None
    line: int
    scope: str | None = None


class Artifacts(_Strict):
    written: list[ArtifactUse]
    loaded: list[ArtifactUse]


class Literal(_Strict):
    name: str
    value: Any
    line: int
    owner: str | None = None  # the library call the setting is given to (`lightgbm.LGBMRegressor`)


class ConfigUse(_Strict):
    loads: list[int]
    mentions: list[str]
    literals: list[Literal]
    folders: list[str] = []  # configuration folders a framework it imports reads by convention (Kedro's conf/)


class Place(_Strict):
    line: int
    where: str


class Fitted(Place):
    what: str
    confidence: str
    kept: bool = True  # saved by the file, or handed to the project's code


class Derived(Place):
    column: str
    sources: list[str]


class Written(Place):
    path: str
    fitted: list[Fitted]
    resampled: list[Place]
    derived: list[Derived]


class FeatureUse(Place):
    targets: list[str]
    explicit: list[str] | None
    dropped: list[str] | None


class Read(Place):
    path: str
    splits: list[Place]
    cv: list[Place]
    features: list[FeatureUse]
    trains: Place | None = None  # a model trained on these rows and saved


class SummaryFit(Fitted):
    param: int
    flagged: bool = False  # fitted only under a condition on a parameter (`if training:`)


class SummaryResample(Place):
    param: int


class Summary(_Strict):
    fits: list[SummaryFit]
    resamples: list[SummaryResample]
    splits: list[Place] = []  # shuffled splits without stratify= in its body


class ClassifiedCall(Place):
    """A call of another file's function whose results a classifier of this file learns from."""
    target: str
    balanced: bool = False  # the file shows classes of comparable size


class ImportedCall(Place):
    target: str
    train_args: list[bool]
    splits: list[Place]
    cv: list[Place]


class RerunCall(Place):
    targets: list[str]


class ViaHelper(_Strict):
    """A data file name handed to a project function of another file (`save2pkl("feats/x.pkl", df)`)."""
    fn: str
    arg: int
    path: str


class DataFiles(_Strict):
    """The data files a module writes and reads, and the I/O helpers it defines or calls."""
    written: list[str]
    read: list[str]
    records: list[str] = []
    io: dict[str, dict[str, int]] = {}  # its functions writing/reading a file named by parameter N
    via: list[ViaHelper] = []


class HandedPaths(_Strict):
    """A call of a project function: per positional argument, the imported project names a path
    written in the code is built from ([] when only literals), or None (not such a path)."""
    target: str
    args: list[list[str] | None]


class PathLoad(_Strict):
    """An unsafe load whose path is built from its function's parameters or imported project names."""
    fn: str | None
    params: list[int]
    imported: list[str]


class PathFacts(_Strict):
    """Where the paths of unsafe artifact loads come from (`lineage._path_facts`)."""
    loads: dict[str, PathLoad] = {}  # by the load's shown line
    handed: list[HandedPaths] = []
    fixed: list[str] = []  # top-level names bound to a path written in the code


class Lineage(_Strict):
    """Data files written and read, functions that fit on their input, calls of other files'
    functions (`analysis/lineage.py`)."""
    writes: list[Written]
    reads: list[Read]
    functions: dict[str, Summary]
    calls: list[ImportedCall]
    files: DataFiles
    loaders: dict[str, Place] = {}  # functions that load a model every time they run
    reruns: list[RerunCall] = []  # a Streamlit script's calls of other files' functions on every rerun
    classifies: list[ClassifiedCall] = []
    paths: PathFacts | None = None
    scorers: list[str] = []  # functions computing a library metric over what they are given


class Decisions(_Strict):
    cuts: list[int]
    analysed: bool
    costly: str | None
    stated: bool
    chosen_at: int = 0  # where the file decides at a threshold of its choice (a non-default cut, a curve's thresholds used)
    task: str | None = None
    predicts: list[int] = []  # `predict()` of a model this file does not fit (0.5 for a classifier)


class EntrySpan(_Strict):
    """An inference entry function and its lines."""
    qualname: str
    line: int
    end: int
    called: bool = False  # some code of its own file calls it
    top: bool = False  # the file's own top level calls it: the file is a program that runs it
    handed: bool = False  # every model it applies is one of its parameters


class ModuleFacts(_Strict):
    """What a Python file contributes to the project rules."""
    training: TrainingFacts | None
    serving: ServingFacts | None
    service: dict[str, Any] | None  # the serving audit's facts (`serving/facts.py`): read by key there
    artifacts: Artifacts
    models: list[str] = []  # the models it fits, by resolved name (`lightgbm.train`); `?` when unknown
    config: ConfigUse
    local_imports: list[str]
    calls_out: list[str] = []  # project functions called by qualified name (`pkg.mod.func`)
    orchestrated: list[str] = []  # project functions a pipeline orchestrator runs (Kedro node, Airflow task)
    bounded_ui: bool = False  # a UI script whose every input is a typed, bounded widget
    script: bool = False  # runs as a program (a `__main__` block) and serves nothing
    main: bool = False  # has a `__main__` block at its top level
    imported: list[str] = []  # what it imports from outside the libraries, fully spelled
    serves: bool = False  # imports a web, UI or RPC framework: it answers users itself
    tracks: bool = False  # uses an experiment tracker (MLflow, W&B)
    targets: list[str] = []  # the label columns of its fits, splits and cross-validation
    entries: list[EntrySpan] = []
    test: bool = False
    decisions: Decisions | None = None
    lineage: Lineage
    pipeline: PipelineFacts | None = None


class ConfigKey(_Strict):
    value: Any
    line: int


class ConfigFacts(_Strict):
    """The leaf keys of a YAML/JSON/TOML file."""
    keys: dict[str, ConfigKey]
    error: str | None = None


class FileResult(_Strict):
    """One file's stored result."""
    role: Role
    error: str | None = None
    findings: list[Finding] = []
    satisfied: list[str] = []
    rule_errors: list[str] = []
    facts: ModuleFacts | ConfigFacts | None = None
    applies: list[str] = []
    blind_spots: list[tuple[int, str]] = []


def valid_result(result: object, with_facts: bool = True) -> bool:
    """Does a stored result have the shape the engine reads? (`with_facts=False`: a snapshot's
    results, stored without their facts.)"""
    if not isinstance(result, dict) or (with_facts and "error" not in result and "facts" not in result):
        return False
    try:
        FileResult.model_validate(result)
    except (ValidationError, TypeError, ValueError):
        return False
    return True
