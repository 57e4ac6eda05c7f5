"""Deterministic remediation: what to do about a finding, with code, filled from the finding.

The explanation comes from the rule's own documentation (its *Why is this bad?* and *Use instead*
sections: one source of truth). Where a codemod applies, the code is the flagged statement
rewritten and the diff is the patch; ML101 gets the two fixes a senior reviewer would show (a
snapshot column, or an explicit reference date); ML202 gets the flagged constructor with class
weights. Every other rule shows the example of its documentation.
"""
from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import libcst as cst

from wicked_data.checks.analysis.evaluation_base import CLASS_WEIGHTED
from wicked_data.checks.models import Finding, Remediation, Review
from wicked_data.checks.remediate import codemods
from wicked_data.checks.rules.base import registry

# The first words of a recommendation for each rule: an action, said once per rule.
ACTIONS = {
    "ML101": "Compute time-based features from a snapshot or reference date, not the current time",
    "ML102": "Fit preprocessing on the training split only (or inside a Pipeline)",
    "ML103": "Resample the training split only, after splitting",
    "ML104": "Remove the target and its derivatives from the features",
    "ML105": "Split time-ordered data by date (or with TimeSeriesSplit)",
    "ML106": "Select models and thresholds on validation data; touch the test set once",
    "ML107": "Replace look-ahead features with trailing windows",
    "ML108": "Decide missing values per column (imputer in the pipeline, missing indicators)",
    "ML109": "Scale features inside the pipeline before switching to a scale-sensitive model",
    "ML201": "Report precision, recall, F1 and ROC/PR AUC next to accuracy",
    "ML202": "Handle class imbalance: class weights, resampling inside training, or a tuned threshold",
    "ML203": "Cross-validate on the training split",
    "ML204": "Compare against a baseline (DummyClassifier and the business rule) on the same split",
    "ML205": "Choose the decision threshold from the costs of errors on validation data",
    "ML206": "Stratify the split by the label",
    "ML207": "Seed every random split (random_state)",
    "ML208": "Evaluate on held-out rows, not the training rows",
    "ML209": "Save the metrics with the model artifact",
    "ML210": "Measure feature importance (permutation importance or ablation)",
    "ML211": "Run the notebook top to bottom in a fresh kernel before saving it",
    "ML212": "Compute ranking and probability metrics from the model's scores, not its labels",
    "ML301": "Share one feature function between training and serving",
    "ML302": "Save the feature list with the model and build the serving frame from it",
    "ML303": "Load the fitted transforms at serving instead of refitting them",
    "ML304": "Load the configuration file and pass its values, or delete it",
    "ML305": "Document each feature (meaning, unit, source)",
    "ML306": "Persist categorical encodings with the model",
    "ML307": "Save the fitted transform with the model, or fit it inside the saved Pipeline",
    "ML401": "Version the model artifact and save its metadata",
    "ML402": "Verify the artifact before loading it, or use a format that cannot run code",
    "ML403": "Read data and model locations from configuration",
    "ML404": "Validate the model input against a declared schema",
    "ML405": "Guard divisions against zero denominators",
    "ML406": "Handle errors on the load/feature/predict path",
    "ML407": "Load the model once, explicitly, at startup",
    "ML408": "Log predictions, inputs, model version and latency",
    "ML409": "Return the model version with every prediction",
    "ML410": "Take file locations from configuration",
    "ML501": "Calibrate probabilities with a fitted calibrator (CalibratedClassifierCV) instead of a hand-made curve",
    "ML502": "Replace the pseudo-confidence with a calibrated probability or a real uncertainty estimate",
    "ML503": "Load the model once at startup, or under a lock",
    "ML504": "Include the model version in the prediction cache key and clear the cache on reload",
    "ML505": "Validate request payloads with a schema model",
    "ML506": "Use one request schema for endpoints that do the same job",
    "ML507": "Isolate failures per item in batch predictions",
    "ML508": "Guard features against NaN and infinity before they reach the model",
    "ML509": "Add a health endpoint that reports the model's status",
    "ML510": "Limit the model registry (evict models that are no longer used)",
}



def action(rule: str) -> str:
    """The imperative first words of the recommendation for `rule`."""
    if rule in ACTIONS:
        return ACTIONS[rule]
    rule_cls = registry().get(rule)
    return f"Fix the {rule_cls.name} problem" if rule_cls else f"Fix {rule}"


def explanation(rule: str) -> tuple[str, str | None]:
    """The rule's advice (prose) and the example code of its *Use instead* section."""
    rule_cls = registry().get(rule)
    if rule_cls is None:
        return "", None
    use = rule_cls.section("Use instead")
    match = re.search(r"```(?:python)?\n(.*?)```", use, re.S)
    prose = " ".join(use[:match.start()].split()) if match else " ".join(use.split())
    prose = prose[:-1] + "." if prose.endswith(":") else prose
    why = " ".join(rule_cls.section("Why is this bad?").split())
    why = why.split(". ")[0].rstrip(".") + "." if why else ""
    return f"{why} {prose}".strip(), (match.group(1).strip() if match else None)


def template_remediation(finding: Finding, review: Review) -> Remediation:
    """The deterministic remediation of `finding`, its code filled from the finding and its file."""
    advice, example = explanation(finding.rule)
    summary = f"{action(finding.rule)}. {advice}".strip()
    code, diff = example, None
    path = Path(review.root) / finding.file
    if finding.rule in codemods.FIXABLE and path.suffix == ".py" and path.is_file():
        result = codemods.fix_source(path.read_text(encoding="utf-8"), finding.rule,
                                     codemods.target_lines([finding]), finding.file)
        if result.changed:
            diff = result.diff
            code = result.statement_at(finding.line) or code
            summary += f" The diff is the mechanical fix (`wicked-data fix --rule {finding.rule} --apply`)."
            if finding.rule == "ML101":
                summary += (f" It replaces the clock with `{codemods.REFERENCE}`, read from the environment variable of"
                            " that name, so every run states the as-of date it computes features for.")
        elif result.skipped:
            summary += f" Not fixed automatically: {result.skipped[0].reason}."
    if finding.rule == "ML101":
        code = _reference_date_fix(textwrap.dedent(finding.evidence)) or code
    elif finding.rule == "ML202":
        code = _class_weighted(textwrap.dedent(finding.evidence)) or code
    return Remediation(summary=summary, code=code if code and _parses(code) else None, diff=diff, source="template")


def _parses(code: str) -> bool:
    """A documentation example may be a fragment (a dict entry); only complete code is shown as code."""
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


# ---------------------------------------------------------------------- ML101
def _reference_date_fix(evidence: str) -> str | None:
    """For `df['x'] = (now() - df['d']).dt.days`: the same feature from a snapshot column, and as a
    function of an explicit reference date."""
    try:
        statement = cst.parse_statement(evidence)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(statement, cst.SimpleStatementLine) or not isinstance(statement.body[0], cst.Assign):
        return None
    assign = statement.body[0]
    target = assign.targets[0].target
    frame = codemods.base_name(target)
    column = target.slice[0].slice.value if isinstance(target, cst.Subscript) else None
    if frame is None or not isinstance(column, cst.SimpleString):
        return None
    clocks = _ClockCalls()
    snapshot_value = assign.value.visit(clocks.replacing(f"pd.to_datetime({frame}['snapshot_date'])"))
    reference_value = assign.value.visit(_ClockCalls().replacing("reference_date"))
    if not clocks.found:
        return None
    name = re.sub(r"\W", "_", column.evaluated_value) or "feature"
    module = cst.Module(body=[])
    return (
        "# Option 1: measure from a snapshot date stored with each row (the date its label was observed)\n"
        f"{module.code_for_node(target)} = {module.code_for_node(snapshot_value)}\n\n"
        "# Option 2: pass the reference date explicitly, the same way at training and at inference\n"
        f"def {name}({frame}, reference_date):\n"
        f"    return {module.code_for_node(reference_value)}\n"
    )


class _ClockCalls(cst.CSTTransformer):
    """Replaces clock reads (`*.now()`, `*.today()`, `*.utcnow()`, `Timestamp('now')`) by a text."""

    def __init__(self) -> None:
        super().__init__()
        self.found = 0
        self.replacement: cst.BaseExpression | None = None

    def replacing(self, text: str) -> "_ClockCalls":
        self.replacement = cst.parse_expression(text)
        return self

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        clock = isinstance(func, cst.Attribute) and func.attr.value in ("now", "today", "utcnow") and not original.args
        named = any(isinstance(a.value, cst.SimpleString) and a.value.evaluated_value in ("now", "today")
                    for a in original.args[:1])
        if clock or named:
            self.found += 1
            return self.replacement
        return updated


# ---------------------------------------------------------------------- ML202
def _class_weighted(evidence: str) -> str | None:
    try:
        module = cst.parse_module(evidence + "\n")
    except cst.ParserSyntaxError:
        return None
    adder = _AddClassWeight()
    fixed = module.visit(adder)
    return fixed.code.strip() if adder.added else None


class _AddClassWeight(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.added = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = codemods.short_name(original.func)
        if name in CLASS_WEIGHTED and not codemods.has_kwarg(original, "class_weight") and not codemods.splats(original):
            self.added = True
            return codemods.with_kwarg(updated, "class_weight", cst.SimpleString('"balanced"'))
        return updated
