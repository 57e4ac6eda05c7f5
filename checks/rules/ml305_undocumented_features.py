from __future__ import annotations

import io
import tokenize
from typing import Iterator

from wicked_data.checks.analysis.leakage import feature_selection
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class UndocumentedFeatures(Rule):
    """
    ## What it does
    Flags the feature list a model is trained on when its features are described nowhere in the
    file: no comment names them, no docstring or description mapping explains them.

    ## Why is this bad?
    Nobody can check a feature they cannot read: whether `days_since_last_order` counts from the
    snapshot or from today, whether `avg_order_value` includes refunds. Reviews, model cards and
    the serving team all need the definitions.

    ## Example
    ```python
    feature_cols = ["tenure_months", "order_count", "avg_order_value"]
    ```

    ## Use instead
    Describe each feature where it is defined: what it measures, its unit and the date it is computed from.

    ```python
    FEATURES = {
        "tenure_months": "months from signup to the snapshot date",
        "order_count": "orders in the 12 months before the snapshot",
    }
    ```

    ## Known problems
    Documentation outside the file (a README, a feature store) is not seen.
    """

    id = "ML305"
    name = "undocumented-features"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        for X in module.feature_matrices[:1]:
            selection = feature_selection(module, X)
            if selection is None or not selection.explicit:
                return
            described = _described_names(module)
            missing = [f for f in selection.explicit if f not in described]
            if len(missing) * 2 >= len(selection.explicit):
                yield Hit(f"{len(missing)} of {len(selection.explicit)} features have no description anywhere in "
                          f"this file ({', '.join(missing[:5])}{'...' if len(missing) > 5 else ''}); document what "
                          "each one measures and from which date", node=selection.node, confidence="low")


_PUNCTUATION = "`'\\\":,.()[]#"


def _described_names(module: ModuleAnalysis) -> set[str]:
    """Words that appear in comments, docstrings or description strings of the file."""
    words: set[str] = set()
    strings_by_line: dict[int, list[str]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(module.source.text).readline):
            if tok.type == tokenize.STRING:
                strings_by_line.setdefault(tok.start[0], []).append(tok.string.strip(_PUNCTUATION))
            if tok.type == tokenize.COMMENT or (tok.type == tokenize.STRING and " " in tok.string):
                words.update(w.strip(_PUNCTUATION) for w in tok.string.split())
            if tok.type == tokenize.COMMENT:  # `"tenure_months",  # months since signup`
                words.update(strings_by_line.get(tok.start[0], []))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return words


UndocumentedFeatures.invalid = [
    """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    df = pd.read_csv("c.csv")
    cols = ["tenure_months", "order_count", "avg_order_value"]
    RandomForestClassifier().fit(df[cols], df["churned"])  # ruleid: ML305
    """,
]

UndocumentedFeatures.valid = [
    '''
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    FEATURES = {
        "tenure_months": "months from signup to the snapshot date",
        "order_count": "orders in the year before the snapshot",
    }
    df = pd.read_csv("c.csv")
    RandomForestClassifier().fit(df[list(FEATURES)], df["churned"])
    ''',
    """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    df = pd.read_csv("c.csv")
    cols = [
        "tenure_months",  # months from signup to the snapshot
        "order_count",  # orders in the last year
    ]
    RandomForestClassifier().fit(df[cols], df["churned"])
    """,
]
