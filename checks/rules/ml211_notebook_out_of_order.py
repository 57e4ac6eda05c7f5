from __future__ import annotations

import ast
from typing import Iterator

from wicked_data.checks.analysis.cells import needs
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

class NotebookOutOfOrder(Rule):
    """
    ## What it does
    Flags a notebook whose saved execution counts show its cells ran in another order than they are
    shown (a cell above ran after a cell below it). When a cell reads a name that only a cell shown
    below it defines, running the notebook top to bottom fails or computes something else: that is
    reported at P2. The review itself analyses such a notebook in the order its cells ran.

    ## Why is this bad?
    The outputs and the saved model come from an order nobody can see. A colleague (or a
    scheduled job) who runs the notebook top to bottom gets other numbers, an unfitted model, or an
    error; a split that ran after the scaling cell looks, on screen, as if it ran before.

    ## Example
    ```python
    # %% [2]
    model.fit(X_train, y_train)   # shown first, ran second
    # %% [1]
    model = LogisticRegression()
    ```

    ## Use instead
    Restart the kernel and run all cells in order before saving (Kernel > Restart & Run All), or
    move each cell where it ran.

    ## Known problems
    Needs the execution counts saved in the notebook (cleared outputs leave nothing to read). Cells
    that never ran in the saved session are analysed after the ones that did. Names defined by
    `%run`, `exec` or a star import are not seen.
    """

    id = "ML211"
    name = "notebook-out-of-order"
    severity = Severity.P3

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        source = module.source
        ran = source.executed_out_of_order
        if not ran:
            return
        shown = sorted(ran)  # (cell number, execution count) in the order cells are shown
        later, earlier = _first_inversion(shown)
        starts = {number: start for start, number in zip(source.cell_starts, source.cell_indexes)}
        line = starts.get(later[0], 1)
        order = f"cell {later[0]} ran (execution count {later[1]}) after cell {earlier[0]} below it ({earlier[1]})"
        dependency = _needs_a_cell_below(module)
        if dependency is not None:
            user, name, maker = dependency
            yield Hit(f"cells ran out of order: {order}. Cell {user} uses `{name}`, which only cell {maker} below "
                      f"it defines, so a top-to-bottom run fails or computes something else; the saved outputs "
                      "cannot be reproduced. Restart the kernel and run all cells in order before saving "
                      "(this review follows the order they ran)", line=line, severity=Severity.P2)
            return
        yield Hit(f"cells ran out of order: {order}; the saved outputs may not be what a top-to-bottom run "
                  "gives. Restart the kernel and run all cells in order before saving (this review follows the "
                  "order they ran)", line=line, confidence="medium")


def _first_inversion(shown: list[tuple[int, int]]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(a cell, a cell shown below it that ran before it): the first such pair in shown order."""
    for i, (number, count) in enumerate(shown):
        for other in shown[i + 1:]:
            if other[1] < count:
                return (number, count), other
    return shown[0], shown[-1]  # not reached: the notebook ran out of order


def _needs_a_cell_below(module: ModuleAnalysis) -> tuple[int, str, int] | None:
    """(cell, name, cell below it): the first cell, in shown order, that reads a name no cell above
    it and no earlier statement of its own binds, while a cell below binds it."""
    source = module.source
    per_cell: dict[int, list[ast.stmt]] = {}
    for stmt in module.tree.body:
        cell = source.cell_of(stmt.lineno)
        if cell is not None:
            per_cell.setdefault(cell[0], []).append(stmt)
    facts = {number: needs(body) for number, body in per_cell.items()}
    order = sorted(source.cell_indexes)  # every code cell as shown, those that never ran included
    above: set[str] = set()
    for i, number in enumerate(order):
        bound, wanted = facts.get(number, (set(), []))
        for _, name in sorted(wanted):
            if name in above:
                continue
            maker = next((n for n in order[i + 1:] if name in facts.get(n, (set(), []))[0]), None)
            if maker is not None:
                return number, name, maker
        above |= bound
    return None


NotebookOutOfOrder.invalid = [
    {"fit.ipynb": """
        # %% [1]
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        df = pd.read_csv("loans.csv")
        # %% [3]
        model.fit(df[["income", "debt"]], df["defaulted"])  # ruleid: ML211
        # %% [2]
        model = LogisticRegression(max_iter=500)
        """},
    {"explore.ipynb": """
        # %% [1]
        import pandas as pd
        df = pd.read_csv("visits.csv")
        # %% [4]
        df.describe()  # ruleid: ML211
        # %% [2]
        df["pages"].hist()
        """},
]

NotebookOutOfOrder.valid = [
    {"fit.ipynb": """
        # %% [1]
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        df = pd.read_csv("loans.csv")
        # %% [2]
        model = LogisticRegression(max_iter=500)
        # %% [5]
        model.fit(df[["income", "debt"]], df["defaulted"])
        """},
    # never run, or outputs cleared: nothing to read
    {"fit.ipynb": """
        import pandas as pd
        df = pd.read_csv("loans.csv")
        # %%
        df.describe()
        """},
]
