"""Database access for lead attributes (PostgreSQL through SQLAlchemy)."""
import os
from typing import List

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

_engine: Engine | None = None

# Everything the feature builder needs for a set of leads, one row per lead.
LEAD_FEATURES_SQL = """
    SELECT p.id AS lead_id,
           p.lead_score,
           p.engagement_score,
           COALESCE(p.touchpoint_count, 0) AS touchpoint_count,
           p.lifecycle_state,
           p.status,
           p.created_at,
           (EXTRACT(EPOCH FROM (NOW() - p.created_at)) / 86400.0)::double precision AS days_since_created,
           COALESCE(p.email_opens, 0) AS email_opens,
           COALESCE(p.email_clicks, 0) AS email_clicks,
           COALESCE(p.page_views, 0) AS page_views,
           COALESCE(p.events_attended, 0) AS events_attended,
           COALESCE(p.lead_source, 'unknown') AS lead_source,
           COALESCE(p.campus_preference, 'unknown') AS campus_preference,
           CASE
               WHEN p.engagement_score >= 80 THEN 'high'
               WHEN p.engagement_score >= 50 THEN 'medium'
               ELSE 'low'
           END AS engagement_level
    FROM people p
    WHERE p.id = ANY(:lead_ids)
    ORDER BY p.created_at DESC
"""

# Leads the nightly job re-scores: anything created in the last quarter.
RECENT_LEADS_SQL = """
    SELECT p.id
    FROM people p
    WHERE p.created_at > NOW() - INTERVAL '90 days'
      AND p.status <> 'archived'
"""


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = create_engine(os.environ["LEADS_DATABASE_URL"], pool_pre_ping=True)
    return _engine


def fetch_lead_rows(lead_ids: List[int]) -> pd.DataFrame:
    with get_engine().connect() as conn:
        frame = pd.read_sql(text(LEAD_FEATURES_SQL), conn, params={"lead_ids": list(lead_ids)})
    return frame.set_index("lead_id", drop=False)


def fetch_recent_lead_ids() -> List[int]:
    with get_engine().connect() as conn:
        return [row[0] for row in conn.execute(text(RECENT_LEADS_SQL))]
