"""Generated stress files for the analysis's growth: each shape is written at n and 4n repeated
units, analysed in-process, and the time ratio is turned into an exponent (1.0: linear, 2.0:
quadratic). A rule or fact that compares every unit with every other one shows up here long before
a real repository makes it a hang (a 2,500-save script once took minutes).

    .venv/bin/python bench/stress.py [--base 400]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wicked_data.checks.engine import analyse_file  # noqa: E402


def saves(n: int) -> str:
    """n models, each fitted on its own file and saved (ML401, lineage, kept)."""
    out = ["import joblib", "import pandas as pd", "from sklearn.linear_model import LinearRegression"]
    for i in range(n):
        out += [f"m{i} = LinearRegression().fit(pd.read_csv('a{i}.csv'), pd.read_csv('b{i}.csv'))",
                f"joblib.dump(m{i}, 'model_{i}.pkl')"]
    return "\n".join(out) + "\n"


def columns(n: int) -> str:
    """One frame, n derived columns, each from the previous ones (derivations, leakage)."""
    out = ["import pandas as pd", "from sklearn.model_selection import train_test_split",
           "from sklearn.ensemble import RandomForestClassifier", "df = pd.read_csv('d.csv')", "df['c0'] = df['x'] * 2"]
    out += [f"df['c{i}'] = df['c{i - 1}'] + df['x'] / (df['y'] + 1)" for i in range(1, n)]
    out += ["a, b, c, d = train_test_split(df.drop(columns=['t']), df['t'], random_state=0)",
            "print(RandomForestClassifier().fit(a, c).score(b, d))"]
    return "\n".join(out) + "\n"


def helpers(n: int) -> str:
    """n functions, each calling the previous one (in-file interprocedural flow)."""
    out = ["import pandas as pd", "def f0(frame):", "    return frame.fillna(0)"]
    for i in range(1, n):
        out += [f"def f{i}(frame):", f"    return f{i - 1}(frame).assign(k{i}=frame['x'] * {i})"]
    out += ["df = pd.read_csv('d.csv')", f"print(f{n - 1}(df).shape)"]
    return "\n".join(out) + "\n"


def splits(n: int) -> str:
    """n independent experiments, each with its own split, fit and score (splits x evaluations)."""
    out = ["import pandas as pd", "from sklearn.model_selection import train_test_split",
           "from sklearn.linear_model import LogisticRegression", "from sklearn.metrics import f1_score"]
    for i in range(n):
        out += [f"d{i} = pd.read_csv('e{i}.csv')",
                f"a{i}, b{i}, c{i}, e{i} = train_test_split(d{i}.drop(columns=['t']), d{i}['t'], random_state={i})",
                f"print(f1_score(e{i}, LogisticRegression().fit(a{i}, c{i}).predict(b{i})))"]
    return "\n".join(out) + "\n"


def notebook(n: int) -> str:
    """A notebook of n cells, each a small step on one frame."""
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": i + 1,
              "source": [f"df['v{i}'] = df['x'].rolling({i % 7 + 2}).mean()\n", f"print(df['v{i}'].describe())"]}
             for i in range(n)]
    cells.insert(0, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 0,
                     "source": ["import pandas as pd\n", "df = pd.read_csv('d.csv')"]})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


SHAPES = {"saves": (saves, ".py"), "derived columns": (columns, ".py"), "helper chain": (helpers, ".py"),
          "experiments": (splits, ".py"), "notebook cells": (notebook, ".ipynb")}


def timed(text: str, suffix: str, folder: Path) -> float:
    path = folder / f"stress{suffix}"
    path.write_text(text, encoding="utf-8")
    best = math.inf
    for _ in range(2):
        started = time.perf_counter()
        result = analyse_file(path, path.name, max_bytes=50_000_000)
        best = min(best, time.perf_counter() - started)
        if result.get("error"):
            raise SystemExit(f"{path.name}: {result['error']}")
    return best


def run(base: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (make, suffix) in SHAPES.items():
            small, large = timed(make(base), suffix, Path(tmp)), timed(make(4 * base), suffix, Path(tmp))
            exponent = math.log(max(large, 1e-6) / max(small, 1e-6)) / math.log(4)
            rows.append({"shape": name, "n": base, "seconds_n": small, "seconds_4n": large, "exponent": exponent})
    return rows


def table(rows: list[dict]) -> str:
    out = ["stress shape         n      time(n)   time(4n)  growth exponent (1 = linear)"]
    for r in rows:
        flag = "" if r["exponent"] <= 1.5 else "   <- superlinear"
        out.append(f"{r['shape']:<18} {r['n']:>5}  {r['seconds_n']:8.2f}s  {r['seconds_4n']:8.2f}s  {r['exponent']:5.2f}{flag}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=400, help="units in the smaller file of each shape")
    args = parser.parse_args()
    print(table(run(args.base)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
