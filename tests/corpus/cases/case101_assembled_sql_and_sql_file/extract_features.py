"""Pull subscriber features from the warehouse for the churn model; the schema comes from settings."""
import os

import pandas as pd
import sqlalchemy

TENURE = "DATEDIFF(day, activated_on, CURRENT_DATE)"


def subscriber_frame(engine, schema: str, since: str) -> pd.DataFrame:
    query = f"""
        SELECT s.subscriber_id,
               {TENURE} AS tenure_days,
               s.plan_tier,
               s.monthly_fee
        FROM {schema}.subscribers s
        WHERE s.activated_on >= '{since}'
    """
    return pd.read_sql(query, engine)


def usage_frame(engine, schema: str) -> pd.DataFrame:
    sql = "SELECT u.subscriber_id, SUM(u.minutes) AS minutes_90d"
    sql += ", DATEDIFF(day, MAX(u.call_date), GETDATE()) AS days_since_call"
    sql += " FROM " + schema + ".usage u"
    sql += " WHERE u.call_date > DATEADD(day, -90, GETDATE())"
    sql += " GROUP BY u.subscriber_id"
    return pd.read_sql(sql, engine)


def labels_frame(engine, schema: str) -> pd.DataFrame:
    return pd.read_sql("SELECT subscriber_id, churned_next_month FROM {}.labels".format(schema), engine)


if __name__ == "__main__":
    eng = sqlalchemy.create_engine(os.environ["WAREHOUSE_URL"])
    frame = subscriber_frame(eng, os.environ.get("WAREHOUSE_SCHEMA", "core"), "2023-01-01")
    frame = frame.merge(usage_frame(eng, "core"), on="subscriber_id").merge(labels_frame(eng, "core"), on="subscriber_id")
    frame.to_parquet(os.environ.get("FEATURES_OUT", "features.parquet"))
