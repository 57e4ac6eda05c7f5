"""Checks every generated text must pass before it is shown, whoever wrote it (the model or our
own templates). Each returns a list of complaints in words the writer can act on; empty means valid.

- citations: finding ids, files and lines that exist in the review;
- code: every block parses, and a fix for rule X, re-checked with rule X, no longer triggers it;
- model card: the required sections, every P1 finding under Limitations, the facts the code does
  not show written as unknown, no numbers the code and findings do not contain;
- recommendations: ordered by severity, each tied to a finding and starting with an action.
"""
from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path, PurePath

import yaml

from wicked_data.checks.analysis import safe_yaml
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.source import SourceError, SourceFile
from wicked_data.checks.engine import parse
from wicked_data.checks.models import Finding, Review, Severity
from wicked_data.checks.remediate.facts import ModelFacts, model_facts
from wicked_data.checks.rules.base import ProjectRule, registry

FINDING_ID = re.compile(r"\bML\d{3}-[0-9a-f]{6}(?:-\d+)?\b")
LOCATION = re.compile(r"(?<![\w/.-])([\w./-]+\.(?:py|ipynb|ya?ml|json|toml)):(\d+)\b")
CODE_BLOCK = re.compile(r"```([\w+-]*)[^\n]*\n(.*?)```", re.S)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
UNKNOWN = re.compile(r"\bunknown\b|not (?:recorded|tracked|documented|shown|saved|stated|known)", re.I)

CARD_SECTIONS = {
    "Model Details": ("model details",),
    "Intended Use": ("intended use",),
    "Training Data": ("training data",),
    "Evaluation/Performance": ("evaluation", "performance", "metrics"),
    "Limitations": ("limitations",),
    "Ethical Considerations": ("ethical considerations",),
    "Recommendations": ("recommendations",),
}
# What the code cannot show; a card must write each as unknown.
CARD_UNKNOWNS = {
    "training date": re.compile(r"training date|date trained|trained on \d", re.I),
    "author": re.compile(r"\bauthors?\b|\bowners?\b|developed by", re.I),
    "data size": re.compile(r"\bsize\b|number of (?:rows|records|examples|samples)", re.I),
    "metric values": re.compile(r"metric values?|reported (?:accuracy|performance|metrics?|scores?)", re.I),
}
ACTION_VERBS = {
    "add", "adopt", "apply", "avoid", "build", "calibrate", "catch", "check", "choose", "compare", "compute",
    "create", "cross-validate", "decide", "declare", "define", "derive", "document", "drop", "evaluate", "fit",
    "fix", "guard", "handle", "impute", "keep", "load", "log", "measure", "move", "pass", "persist", "pin",
    "put", "read", "record", "remove", "replace", "report", "resample", "return", "save", "scale", "score",
    "seed", "select", "set", "share", "split", "store", "stratify", "switch", "take", "track", "tune", "use",
    "validate", "verify", "version", "weight", "wrap", "write", "describe", "monitor", "expose", "implement",
    "stop", "reuse", "rank", "inspect", "analyse", "analyze", "run", "test", "encode", "train", "hold",
    "include", "isolate", "limit",
}


# ---------------------------------------------------------------------- citations
def check_citations(text: str, review: Review, root: Path | None = None) -> list[str]:
    """Finding ids must exist; `file:line` must name a reviewed file and a line it has."""
    complaints = []
    known = {f.id for f in review.findings}
    for fid in sorted(set(FINDING_ID.findall(text)) - known):
        complaints.append(f"cites finding {fid}, which does not exist; cite only ids from the findings given")
    files = {f.path for f in review.files}
    root = root if root is not None else Path(review.root)
    for file, line in sorted(set(LOCATION.findall(text))):
        if file not in files:
            complaints.append(f"cites {file}:{line}, but {file} is not a reviewed file")
            continue
        count = _line_count(root / file)
        if count is not None and not 1 <= int(line) <= count:
            complaints.append(f"cites {file}:{line}, but {file} has {count} lines")
    return complaints


def _line_count(path: Path) -> int | None:
    try:
        return len(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return None


# ---------------------------------------------------------------------- code
def code_blocks(text: str) -> list[str]:
    """The Python code blocks of a Markdown text (untagged blocks count as Python)."""
    return [body for lang, body in CODE_BLOCK.findall(text) if lang.lower() in ("", "python", "py")]


def check_code(code: str, rule: str | None = None, context: str = "") -> list[str]:
    """`code` must parse; for a fix of `rule`, the rule must not fire on it (with `context`, the
    imports of the file the finding is in, put first so aliases such as `pd` resolve)."""
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return [f"the code does not parse (line {exc.lineno}: {exc.msg}); give complete, valid Python"]
    if rule is None:
        return []
    lines = rule_hits(rule, code, context)
    if lines:
        shown = ", ".join(str(n) for n in lines)
        return [f"the proposed code still triggers {rule} (line {shown} of the code); it must not"]
    return []


def rule_hits(rule: str, code: str, context: str = "") -> list[int]:
    """The lines of `code` where `rule` fires (a project-level rule cannot be re-checked on a snippet).

    A snippet uses names it does not define (`df`); they are unknown values at module level, so the
    code is also checked as the body of a function taking them as parameters, where the analysis
    treats them as caller data."""
    rule_cls = registry().get(rule)
    if rule_cls is None or issubclass(rule_cls, ProjectRule):
        return []
    lines: set[int] = set()
    prefix = f"{context}\n" if context else ""
    lines |= _hits(rule_cls, prefix, code)
    free = _free_names(prefix + code)
    if free:
        body = "\n".join("    " + ln if ln.strip() else ln for ln in code.splitlines())
        lines |= _hits(rule_cls, prefix + f"def _snippet({', '.join(free)}):\n", body + "\n    return None")
    return sorted(lines)


def _hits(rule_cls, prefix: str, code: str) -> set[int]:
    offset = len(prefix.splitlines())
    source = SourceFile(path=PurePath("fix.py"), rel="fix.py", text=prefix + code)
    try:
        module = ModuleAnalysis(source, parse(source))
        hits = list(rule_cls().check(module))
    except (SourceError, RecursionError):
        return set()
    return {h.lineno - offset for h in hits if h.lineno > offset}


def _free_names(text: str) -> list[str]:
    """Names a snippet reads but neither assigns, imports nor gets from the builtins."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            if not isinstance(node, ast.ClassDef):
                bound |= {a.arg for a in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]}
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    loaded = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return sorted(set(loaded) - bound)


def import_context(path: Path) -> str:
    """The import statements of a file, to re-check a snippet of it with its own aliases."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return ""
    return "\n".join(ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))


def check_remediation(summary: str, code: str | None, finding: Finding, review: Review, context: str = "") -> list[str]:
    complaints = check_citations(summary + "\n" + (code or ""), review)
    if code:
        complaints += check_code(code, finding.rule, context)
    if not summary.strip():
        complaints.append("the summary is empty")
    return complaints


# ---------------------------------------------------------------------- model card
def sections(text: str) -> dict[str, str]:
    """Markdown sections by heading (lower-cased), each with its text up to the next heading."""
    out: dict[str, str] = {}
    matches = list(HEADING.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        out[match.group(1).strip().lower()] = text[match.end():end]
    return out


def _section(found: dict[str, str], aliases: tuple[str, ...]) -> str | None:
    texts = [body for title, body in found.items() if any(a in title for a in aliases)]
    return "\n".join(texts) if texts else None


def front_matter(text: str) -> tuple[dict | None, str]:
    """The YAML metadata block of a Hugging Face card and the text after it."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---", 4)
    if end < 0:
        return None, text
    try:
        data = safe_yaml.load(text[4:end])
    except yaml.YAMLError:
        return None, text
    return (data if isinstance(data, dict) else None), text[end + 4:]


def validate_model_card(text: str, review: Review, facts: ModelFacts | None = None) -> list[str]:
    """Complaints about a model card. A number it states must appear in the facts the code shows
    (`facts`, by default read from the review's root) or in the findings."""
    if facts is None:
        facts = model_facts([review.root]) if Path(review.root).exists() else ModelFacts()
    allowed_text = facts.evidence_text()
    complaints = []
    metadata, body = front_matter(text)
    if metadata is None:
        complaints.append("the card must start with YAML metadata between '---' lines (Hugging Face layout)")
    found = sections(body)
    for name, aliases in CARD_SECTIONS.items():
        if _section(found, aliases) is None:
            complaints.append(f"the card has no '{name}' section")
    limitations = _section(found, CARD_SECTIONS["Limitations"]) or ""
    for finding in review.findings:
        if finding.severity is Severity.P1 and finding.id not in limitations:
            complaints.append(f"the Limitations section must list P1 finding {finding.id} ({finding.rule} "
                              f"{finding.where})")
    for label, pattern in CARD_UNKNOWNS.items():
        lines = [ln for ln in body.splitlines() if pattern.search(ln)]
        if not any(UNKNOWN.search(ln) for ln in lines):
            complaints.append(f"the card must state the {label} as Unknown: the code does not show it")
    grounded = allowed_text + "\n" + "\n".join(f"{f.evidence}\n{f.message}" for f in review.findings) \
        + f"\n{review.tool.version}"
    stated_text = body + "\n" + _metadata_text(metadata)
    complaints += _invented_numbers(stated_text, grounded,
                                    metric_text="\n".join(f"{f.evidence}\n{f.message}" for f in review.findings))
    complaints += _invented_dates_and_people(body, metadata, grounded)
    complaints += check_citations(text, review)
    complaints += _contradicted_facts(found, facts)
    recommendations = _section(found, CARD_SECTIONS["Recommendations"])
    if recommendations is not None:
        complaints += check_recommendations(recommendations, review)
    return complaints


# ---------------------------------------------------------------------- stated values
# A number as a card may write it: 93%, 93 percent, 93/100, 0.93, .93.
STATED_NUMBER = re.compile(r"(?<![\w.])(?:(?P<pct>\d+(?:\.\d+)?)\s*(?:%|\s(?:percent|per cent|pct)\b)"
                           r"|(?P<hundred>\d+(?:\.\d+)?)\s*/\s*100(?![\d.])"
                           r"|(?P<dec>\d*\.\d+)(?![\w.]))", re.I)
METRIC_WORD = (r"(?:accuracy|acc|auc|roc[ -]auc|pr[ -]auc|f1(?:[ -]score)?|precision|recall|rmse|mse|mae|mape|r2|r²|"
               r"r-squared|log[ -]?loss|loss|error rate|score)")
# A number written as the value of a metric: "accuracy 0.92", "AUC: 93/100", "93 percent accuracy".
METRIC_VALUE = re.compile(rf"\b{METRIC_WORD}\b\W{{0,3}}(?:(?:of|is|was|at|=|reached|achieved)\s+)?(?P<after>[\d.]+\s*(?:%|percent|per cent|/\s*100)?)"
                          rf"|(?P<before>[\d.]+\s*(?:%|percent|per cent|/\s*100)?)\s*(?:\(|\s)?{METRIC_WORD}\b", re.I)
NUMBER_IN_TEXT = re.compile(r"(?<![\w.])\d*\.?\d+(?:[eE][-+]?\d+)?")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
                  r"|\b(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?\d{4}\b",
                  re.I)
PERSON_LABEL = re.compile(r"^[\s>*_-]*(?:\*\*)?(authors?|developed by|developers?|owners?|maintainers?|contact|"
                          r"trained by|created by)(?:\*\*)?\s*(?:\*\*)?\s*[:\-–]\s*(?:\*\*)?\s*(?P<value>.+)$", re.I | re.M)
PERSON_KEYS = {"author", "authors", "developers", "developed_by", "owner", "owners", "maintainer", "maintainers",
               "contact", "created_by", "trained_by"}
DATE_KEYS = {"date", "training_date", "trained", "trained_on", "created", "created_at", "release_date"}


def _metadata_text(metadata: dict | None) -> str:
    """The metadata's values as lines of text (numbers stated there are checked like the body's)."""
    if not isinstance(metadata, dict):
        return ""
    out: list[str] = []

    def walk(value, depth: int = 0) -> None:
        if depth > 20 or len(out) > 10_000:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                    out.append(f"{key}: {item}")
                else:
                    walk(item, depth + 1)
        elif isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out.append(str(value))

    walk(metadata)
    return "\n".join(out)


def _fractions(text: str) -> set[float]:
    """Every number of `text` as a value: a plain number as itself, a percentage as a share
    ("20%" grounds 0.2 and "0.2" grounds "20%"; a line number 93 does not ground "93%")."""
    out: set[float] = set()
    for match in STATED_NUMBER.finditer(text):
        value = _stated_fraction(match)
        if value is not None:
            out.add(value)
    for match in NUMBER_IN_TEXT.finditer(text):
        try:
            out.add(round(float(match.group()), 9))
        except ValueError:
            continue
    return out


def _metric_values(text: str) -> set[float]:
    """The numbers `text` gives as a metric's value."""
    out: set[float] = set()
    for match in METRIC_VALUE.finditer(text):
        number = STATED_NUMBER.search((match.group("after") or match.group("before") or "").strip())
        value = _stated_fraction(number) if number is not None else None
        if value is not None:
            out.add(value)
    return out


def _stated_fraction(match: re.Match) -> float | None:
    try:
        if match.group("pct") is not None:
            return round(float(match.group("pct")) / 100, 9)
        if match.group("hundred") is not None:
            return round(float(match.group("hundred")) / 100, 9)
        return round(float(match.group("dec")), 9)
    except ValueError:
        return None


def _invented_numbers(text: str, grounded: str, metric_text: str) -> list[str]:
    """A number the card states, in any written form, must be in the code's facts or the findings;
    one written as a metric's value must be a metric the code or findings show, not another of the
    code's numbers (the test share 0.25 is not an accuracy of 0.25)."""
    complaints: list[str] = []
    known, metric_known = _fractions(grounded), _metric_values(metric_text)
    seen: set[str] = set()
    for match in STATED_NUMBER.finditer(text):
        value = _stated_fraction(match)
        shown = match.group().strip()
        if value is None or shown in seen:
            continue
        seen.add(shown)
        if value not in known:
            complaints.append(f"the card states {shown}, which neither the code nor the findings contain; "
                              "write Unknown instead of a value the code does not show")
    for match in METRIC_VALUE.finditer(text):
        shown = (match.group("after") or match.group("before") or "").strip()
        number = STATED_NUMBER.search(shown)
        if number is None:
            continue
        value = _stated_fraction(number)
        if value is None or shown in seen and value not in known:
            continue  # already reported as invented
        if value not in metric_known:
            seen.add(shown)
            complaints.append(f"the card gives {shown} as a metric value ('{match.group().strip()}'); the code "
                              "computes its metrics when it runs and shows no such value (a number from the code, "
                              "such as a split share or a hyperparameter, is not a result); write Unknown")
    return complaints


def _invented_dates_and_people(body: str, metadata: dict | None, grounded: str) -> list[str]:
    """Dates and people (author, owner) are not in code: a card that states one invents it, unless
    the value is in the code's facts."""
    complaints: list[str] = []
    lowered = grounded.lower()
    for match in DATE.finditer(body):
        if match.group().lower() not in lowered:
            complaints.append(f"the card states the date {match.group()!r}, which the code does not show; "
                              "write Unknown")
    for match in PERSON_LABEL.finditer(body):
        value = match.group("value").strip().strip("*_ ").strip()
        if value and not UNKNOWN.search(value) and value.lower() not in lowered:
            complaints.append(f"the card names {value!r} as {match.group(1).lower()}, which the code does not "
                              "show; write Unknown")
    for key, value in (metadata or {}).items() if isinstance(metadata, dict) else ():
        name = str(key).lower().replace("-", "_").replace(" ", "_")
        if name not in PERSON_KEYS | DATE_KEYS or value in (None, "", []):
            continue
        text = value if isinstance(value, str) else str(value)
        if not UNKNOWN.search(text) and text.lower() not in lowered:
            complaints.append(f"the metadata states {key}: {text!r}, which the code does not show; "
                              "write unknown or leave the key out")
    return complaints


# ---------------------------------------------------------------------- stated facts
CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Classifier|Regressor|Regression|Pipeline|CV|Net|Network|Booster|Model|"
                        r"Forest|Boosting|SVC|SVR|NB)\b")
FEATURE_COUNT = re.compile(r"\*\*Features\*\*\s*\((\d+)\b|\b(\d+)\s+features\b", re.I)
TARGET_LINE = re.compile(r"\*\*Target\*\*\s*[:\-–]\s*(.+)|\bpredicts?\s+`([^`]+)`", re.I)


def _contradicted_facts(found: dict[str, str], facts: ModelFacts) -> list[str]:
    """A card must state the model, target and feature count the code shows, and no other: a card
    naming another estimator (the baseline as the model), another target column or another number of
    features fails, whoever wrote it."""
    complaints: list[str] = []
    details = _section(found, CARD_SECTIONS["Model Details"]) or ""
    described = "\n".join(t for t in (details, _section(found, ("intended use",)), _section(found, ("training data",)))
                          if t)
    if facts.model is not None:
        known = facts.model_names()
        if facts.model.value not in details:
            complaints.append(f"Model Details must name the model the code trains: `{facts.model.value}` "
                              f"({facts.model.where})")
        for name in sorted(set(CLASS_NAME.findall(details)) - known):
            complaints.append(f"the card names `{name}`, which the code does not train; the model is "
                              f"`{facts.model.value}` ({facts.model.where})")
    if facts.target:
        target = facts.target[0]
        stated = [m.group(1) or m.group(2) for m in TARGET_LINE.finditer(described)]
        for text in stated:
            names = re.findall(r"`([^`]+)`", text) or [text.split()[0].strip("*_,.;:") if text.split() else ""]
            if not UNKNOWN.search(text) and target.value not in names:
                complaints.append(f"the card gives {names[0]!r} as the target; the code learns `{target.value}` "
                                  f"({target.where})")
        if target.value not in described:
            complaints.append(f"the card must name the target the code learns: `{target.value}` ({target.where})")
    if facts.feature_count is not None:
        for match in FEATURE_COUNT.finditer(described):
            count = int(match.group(1) or match.group(2))
            if count != facts.feature_count:
                complaints.append(f"the card states {count} features; the model is fitted on {facts.feature_count} "
                                  f"({facts.features[0].where})")
    return complaints


# ---------------------------------------------------------------------- recommendations
LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*])\s+(.*)$", re.M)


def check_recommendations(text: str, review: Review) -> list[str]:
    """Each list item starts with an action, cites an existing finding, and items go P1 first."""
    complaints = []
    by_id = {f.id: f for f in review.findings}
    previous = 0
    items = LIST_ITEM.findall(text)
    if not items:
        return ["the recommendations must be a list, one action per item"] if review.findings else []
    for number, item in enumerate(items, start=1):
        plain = re.sub(r"[*_`]", "", item).strip()
        first = plain.split()[0].lower().rstrip(":,.") if plain.split() else ""
        if first not in ACTION_VERBS:
            complaints.append(f"recommendation {number} must start with an action (a verb), not {first!r}")
        cited = [by_id[i] for i in FINDING_ID.findall(item) if i in by_id]
        if not cited:
            complaints.append(f"recommendation {number} must name the finding id(s) it addresses")
            continue
        rank = min(f.severity.rank for f in cited)
        if rank < previous:
            complaints.append(f"recommendation {number} (P{rank}) comes after a P{previous} one; order by severity")
        previous = max(previous, rank)
    return complaints


def check_answer(text: str, review: Review) -> list[str]:
    complaints = check_citations(text, review)
    for code in code_blocks(text):
        complaints += check_code(code)
    return complaints
