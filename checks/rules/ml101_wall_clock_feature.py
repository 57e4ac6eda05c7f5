from __future__ import annotations

import ast
import re
from typing import Iterator

from wicked_data.checks.analysis.flowtypes import DELTA, FALLBACK, NOW, TEXT, Val
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.sql import Query, clause_at, queries
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

SELECT = re.compile(r"\bselect\b", re.I)
SQL_CLOCK = re.compile(
    r"\b(NOW\s*\(\s*\)|CURRENT_DATE|CURRENT_TIMESTAMP|GETDATE\s*\(\s*\)|SYSDATE|SYSDATETIME\s*\(\s*\)"
    r"|LOCALTIMESTAMP|CURDATE\s*\(\s*\)|date\s*\(\s*'now'\s*\))",
    re.I,
)


class WallClockFeature(Rule):
    """
    ## What it does
    Flags features computed from the current time: an age or a recency such as
    `now() - signup_date` (with `pd.Timestamp.now()`, `datetime.now()/utcnow()/today()`,
    `date.today()`, `time.time()`, `np.datetime64('now')`, or SQL `NOW()`/`CURRENT_DATE`/`GETDATE()`
    in the select list of a query), written to a column, a feature dict, or returned by a helper.
    Queries are read in `.sql` files and wherever Python assembles them (f-strings, `+`, `+=`,
    `str.format`, `%`, `"...".join`, through names bound to strings).

    ## Why is this bad?
    The value depends on when the code runs, not on the record. Training rows computed today see
    ages that did not exist when their label was observed (leaking the future), and the same
    customer gets different features at training and at inference. Offline metrics look better
    than production ever will.

    ## Example
    ```python
    df["tenure_months"] = (pd.Timestamp.now() - df["signup_date"]).dt.days / 30
    ```

    ## Use instead
    Compute ages against an as-of date that belongs to the record (a snapshot or label date), and
    pass the reference date explicitly at inference:
    ```python
    df["tenure_months"] = (df["snapshot_date"] - df["signup_date"]).dt.days / 30
    def features(customer, reference_date): ...
    ```

    ## Known problems
    In a module that imports no data or ML library and applies no model (a web module of accounts
    and sessions), the value may be a token expiry or a displayed age: it is reported at P3, low
    confidence.
    A clock read only used to filter rows (`df[df.date > now - 30 days]`, a SQL `WHERE`), for
    timing, log lines, run ids or file names is not a feature and is not flagged. A clock read that
    is only the default of a caller-supplied reference date (`as_of or now()`) is not flagged. A
    clock value stored in an attribute of an object and read back in another method is missed. In
    SQL, a select item that is the clock alone (`CURRENT_DATE AS extracted_on`) stamps the rows and
    is not flagged; a finding in a `.sql` file is P2, since what reads the column is not seen.
    """

    id = "ML101"
    name = "wall-clock-feature"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        reported: set[int] = set()
        for write in sorted(module.flow.column_writes, key=lambda w: w.line):
            hit = self._hit(module, write.value, write.node, f"'{write.column}'", reported)
            if hit:
                yield hit
        for entry in module.flow.dict_entries:
            hit = self._hit(module, entry.value, entry.node, f"'{entry.key}'", reported)
            if hit:
                yield hit
        for fn in module.flow.functions.values():
            for ret in fn.returns:
                hit = self._hit(module, ret, ret.node, f"the value returned by {fn.node.name}()", reported,
                                returned=True)
                if hit:
                    yield hit
        yield from self._sql(module)

    def _hit(self, module: ModuleAnalysis, val: Val | None, node: ast.AST, what: str, reported: set[int],
             returned: bool = False) -> Hit | None:
        if val is None or not val.flags & DELTA or val.flags & (FALLBACK | TEXT) or val.origin is None:
            return None
        if id(val.origin) in reported:
            return None
        reported.add(id(val.origin))
        if returned and isinstance(val.node, ast.Dict):
            return None  # entries of a returned dict are reported one by one
        clock = _clock_read(module, val.origin)
        related = []
        if clock is not None and clock.line != getattr(node, "lineno", 0):
            related.append((None, clock.line, "the clock is read here"))
        clock_text = module.text(clock.node) if clock is not None else "the current time"
        if not module.handles_data:  # a module with no data or model code: a token expiry, a display age
            return Hit(f"{what} is computed from the current time ({clock_text}); if it becomes a model feature, "
                       "training and inference see different values for the same record (nothing in this file "
                       "handles data or models). Use a snapshot/as-of date for features",
                       node=node, related=related, confidence="low", severity=Severity.P3)
        return Hit(
            f"{what} is computed from the current time ({clock_text}); training and inference see "
            "different values for the same record. Use a snapshot/as-of date instead",
            node=node, related=related, confidence="high",
            fix=(f"Compute {what} against a date that belongs to the record (a snapshot or label date) instead of "
                 f"`{clock_text}`, and pass that reference date explicitly at inference."
                 if clock is not None and "\n" not in clock_text else None),
        )

    def _sql(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if not SELECT.search(module.source.text):
            return
        reported: set[int] = set()
        for query in queries(module.tree):
            for hit in sql_clock_hits(query):
                if hit.line not in reported:
                    reported.add(hit.line)
                    yield hit

    def check_sql(self, text: str) -> Iterator[Hit]:
        """A `.sql` file: every query in it. What reads the result is not seen, so whether the column
        is a model feature is not known: P2."""
        for hit in sql_clock_hits(Query(text, [(0, 1, True)])):
            hit.severity = Severity.P2
            yield hit


def sql_clock_hits(query: Query) -> Iterator[Hit]:
    """The current time combined with a column in the select list of a query: an age or a recency
    (`CURRENT_DATE - signup_date`, `DATEDIFF(day, last_seen, GETDATE())`). Not in a filter (`WHERE d >
    NOW() - INTERVAL '90 days'` picks rows), and not a column that is only the time itself
    (`CURRENT_DATE AS extracted_on` stamps the rows, as a run date does)."""
    text = query.text
    for match in SQL_CLOCK.finditer(text):
        if clause_at(text, match.start()) != "SELECT" or _bare_clock(text, match):
            continue
        yield Hit(f"SQL computes a feature from {match.group(1).upper()} (the current time) in its select "
                  "list; rows scored at different times get different values. Use an as-of date "
                  "parameter", line=query.line_at(match.start()), confidence="medium")


def _bare_clock(text: str, match: re.Match) -> bool:
    """The select item holding the clock is the clock alone (optionally cast or aliased): the item
    runs between the commas at the level of the query's SELECT (not inside a function's arguments)."""
    depth, depths = 0, []
    for ch in text:
        if ch == ")":
            depth -= 1
        depths.append(depth)
        if ch == "(":
            depth += 1
    here = depths[match.start()]
    selects = [m.end() for m in re.finditer(r"(?i)\bselect\b", text[:match.start()]) if depths[m.start()] <= here]
    if not selects:
        return False
    level = depths[selects[-1] - 1]
    start = next((i + 1 for i in range(match.start() - 1, selects[-1] - 1, -1)
                  if text[i] == "," and depths[i] == level), selects[-1])
    stop = re.compile(r"(?i),|\bfrom\b")
    end = next((m.start() for m in stop.finditer(text, match.end()) if depths[m.start()] == level), len(text))
    item = text[start:end].strip()
    item = re.sub(r"(?is)\s+as\s+[\w\"`\[\]]+$", "", item).strip()
    item = re.sub(r"(?is)^(distinct\s+)", "", item).strip()
    item = re.sub(r"(?is)^(cast|date|timestamp)\s*\(\s*(.*?)\s*(as\s+\w+\s*)?\)$", r"\2", item).strip()
    return bool(re.fullmatch(rf"(?:{SQL_CLOCK.pattern})(?:\s*\(\s*\))?", item, re.I))


def _clock_read(module: ModuleAnalysis, origin: Val) -> Val | None:
    for anc in module.flow.ancestors(origin, values=True):
        if anc.call is not None and anc.flags & NOW and not any(p.flags & NOW for p in [*anc.parents, *anc.kw]):
            return anc
    return None


WallClockFeature.invalid = [
    """
    import pandas as pd
    df = pd.read_csv("customers.csv")
    df['tenure_months'] = (pd.Timestamp.now() - pd.to_datetime(df['signup_date'])).dt.days / 30  # ruleid: ML101
    df['avg_order_value'] = df['total_revenue'] / df['order_count']
    """,
    # aliases, a clock read kept in a variable and reused for two features
    """
    from datetime import datetime as dt
    import pandas
    frame = pandas.read_parquet("orders.parquet")
    today = dt.today()
    frame["recency_days"] = (today - frame["last_order"]).dt.days  # ruleid: ML101
    frame = frame.assign(age=lambda d: today.year - d["birth_year"])  # ruleid: ML101
    frame["recency_weeks"] = frame["recency_days"] / 7
    """,
    # a helper function returns the clock-relative value
    """
    import datetime
    import numpy as np

    def days_since(col):
        return (np.datetime64('now') - col).astype('timedelta64[D]')

    def build(data):
        data['days_since_visit'] = days_since(data['last_visit'])  # ruleid: ML101
        return data
    """,
    # a feature dict at inference, date.today() through `import datetime as d`
    """
    import datetime as d

    def features(customer):
        return {
            "age_days": (d.date.today() - customer["signup"]).days,  # ruleid: ML101
            "orders": customer["orders"],
        }
    """,
    # SQL computing a feature from NOW() in the select list
    '''
    import pandas as pd
    QUERY = """
        SELECT lead_id,
               DATE_PART('day', NOW() - created_at) AS days_since_creation  -- ruleid: ML101
        FROM leads
        WHERE status = 'open'
    """
    leads = pd.read_sql(QUERY, conn)
    ''',
    # PostgreSQL: the clock inside EXTRACT(EPOCH FROM ...) (whose FROM is not a clause), a CTE
    '''
    from sqlalchemy import text
    LEAD_FEATURES_SQL = """
        WITH recent AS (SELECT person_id, COUNT(*) AS n FROM events GROUP BY person_id)
        SELECT p.id AS lead_id,
               (EXTRACT(EPOCH FROM (NOW() - p.created_at)) / 86400.0)::double precision AS days_since_created,  -- ruleid: ML101
               CASE WHEN p.last_seen > CURRENT_DATE - 7 THEN 1 ELSE 0 END AS active_last_week,  -- ruleid: ML101
               COALESCE(r.n, 0) AS n_events
        FROM people p LEFT JOIN recent r ON r.person_id = p.id
        WHERE p.id = ANY(:lead_ids)
    """
    def fetch(conn, ids):
        return conn.execute(text(LEAD_FEATURES_SQL), {"lead_ids": ids})
    ''',
    # a query assembled from pieces: an f-string over a column expression kept in a constant, a
    # name extended with +=, str.format and a join; the table comes from the configuration
    """
    import pandas as pd
    AGE_EXPR = "DATE_PART('day', NOW() - opened_at)"  # ruleid: ML101

    def account_rows(conn, settings):
        sql = f"SELECT account_id, {AGE_EXPR} AS account_age FROM {settings['table']}"
        recency = "SELECT account_id"
        recency += ", CURRENT_DATE - last_login AS idle_days"  # ruleid: ML101
        recency += " FROM " + settings["table"]
        other = "SELECT account_id, {} AS churned, DATEDIFF(day, signup, GETDATE()) AS tenure FROM {}".format("x", "t")  # ruleid: ML101
        parts = " ".join(["SELECT account_id,",
                          "SYSDATE - last_order AS days_quiet",  # ruleid: ML101
                          "FROM t"])
        return [pd.read_sql(q, conn) for q in (sql, recency, other, parts)]
    """,
    # a .sql file
    {"features.sql": """
    SELECT customer_id,
           CURRENT_DATE - first_order_date AS customer_age_days,  -- ruleid: ML101
           order_count
    FROM customers
    WHERE first_order_date > CURRENT_DATE - INTERVAL '2 years';
    """},
    # a notebook: import in one cell, the feature in another
    {"explore.ipynb": """
    import pandas as pd
    import time
    # %%
    events = pd.read_csv("events.csv")
    events["secs_since_event"] = time.time() - events["ts"]  # ruleid: ML101
    """},
]

WallClockFeature.valid = [
    # the hours being forecast, counted forward from now: labels of the answer, no record's age
    """
    from datetime import datetime, timedelta
    import numpy as np

    def forecast(model, window):
        values = model.predict(np.asarray(window)[None, ...])[0]
        start = datetime.utcnow()
        return {"hours": [(start + timedelta(hours=k + 1)).isoformat() for k in range(len(values))],
                "ozone": values.tolist()}
    """,
    # the clock only names an output file, stamps a log line and times the run
    """
    import logging, time
    from datetime import datetime
    import pandas as pd
    start = time.time()
    df = pd.read_csv("data.csv")
    df["tenure_months"] = (df["snapshot_date"] - df["signup_date"]).dt.days / 30
    logging.info("trained at %s", datetime.now())
    print(f"run finished at {datetime.now():%H:%M}")
    df.to_csv(f"features_{datetime.now().strftime('%Y%m%d')}.csv")
    elapsed = time.time() - start
    print(f"took {elapsed:.1f}s")
    """,
    # the clock filters rows (a recent window); it is not a feature
    """
    import pandas as pd
    df = pd.read_csv("tx.csv", parse_dates=["ts"])
    cutoff = pd.Timestamp.now() - pd.Timedelta(days=90)
    recent = df[df["ts"] > cutoff]
    recent["amount_log"] = recent["amount"].clip(lower=0)
    """,
    # the reference date is a parameter; now() is only its default
    """
    import pandas as pd

    def add_tenure(df, as_of=None):
        as_of = as_of or pd.Timestamp.now()
        df["tenure_days"] = (as_of - df["signup_date"]).dt.days
        return df
    """,
    # an assembled query that reads the clock only in its filter; a .sql file the same
    """
    def recent(conn, days):
        q = "SELECT id, amount FROM payments"
        q += f" WHERE paid_at > NOW() - INTERVAL '{days} days'"
        return conn.execute(q)
    """,
    {"recent.sql": """
    SELECT id, amount FROM payments WHERE paid_at > CURRENT_DATE - 30;
    """},
    # the clock alone in the select list stamps the extract (a run date), it is no age of a record
    {"extract.sql": """
    SELECT customer_id, plan, CURRENT_DATE() AS extracted_on, CAST(NOW() AS date) AS run_day
    FROM customers;
    """},
    # the clock only in filters: a WHERE with a sub-query, a JOIN condition, a comment
    '''
    TRAINING_SQL = """
        SELECT p.id, p.score,  -- scored as of NOW() by the caller
               CASE WHEN EXISTS (SELECT 1 FROM applications a WHERE a.person_id = p.id) THEN 1 ELSE 0 END AS label
        FROM people p
        JOIN campaigns c ON c.id = p.campaign_id AND c.ends_at > NOW()
        WHERE p.created_at > NOW() - make_interval(months => :lookback)
          AND p.id IN (SELECT person_id FROM visits WHERE visited_at > CURRENT_TIMESTAMP - INTERVAL '1 day')
    """
    ''',
    # SQL uses NOW() only to select recent rows; a response carries a timestamp
    '''
    from datetime import datetime
    QUERY = """
        SELECT id, score, created_at FROM leads
        WHERE created_at > NOW() - INTERVAL '30 days'
    """
    def respond(p):
        return {"probability": p, "scored_at": datetime.utcnow().isoformat()}
    ''',
]
