"""Feature engineering shared by training and serving.

Input: the frame returned by ``db.fetch_lead_rows`` (one row per lead). Output: one numeric column
per name in ``FEATURE_COLUMNS``, in that order. ``lead_score`` comes from the CRM's rule engine and
ranges from -50 to 100 (unsubscribes and bounced e-mails push it below zero).
"""
import numpy as np
import pandas as pd

# Hand-maintained encodings of the CRM's categorical fields.
LIFECYCLE_STATE_MAP = {"subscriber": 0, "lead": 1, "marketing_qualified": 2, "sales_qualified": 3, "opportunity": 4}
STATUS_MAP = {"new": 0, "contacted": 1, "nurturing": 2, "unresponsive": 3, "disqualified": 4}
SOURCE_MAP = {"organic": 0, "paid_search": 1, "social": 2, "referral": 3, "open_day": 4, "agent": 5, "unknown": -1}
CAMPUS_MAP = {"city": 0, "riverside": 1, "online": 2, "unknown": -1}
ENGAGEMENT_LEVEL_MAP = {"low": 0, "medium": 1, "high": 2}

# Main application round opens in October and closes at the end of January.
APPLICATION_SEASON_MONTHS = {10, 11, 12, 1}

FEATURE_COLUMNS = [
    # raw CRM scores and counts
    "lead_score", "engagement_score", "touchpoint_count", "events_attended",
    # time since creation and when the lead was created
    "days_since_created", "created_month", "created_day_of_week", "created_hour",
    "academic_week", "is_application_season",
    # transforms of the scores
    "score_squared", "score_log", "engagement_squared", "touchpoint_log",
    # rates and ratios
    "email_click_rate", "page_views_per_day", "score_per_touchpoint", "engagement_to_score_ratio",
    # interactions
    "score_engagement_interaction", "score_time_interaction",
    # categorical codes
    "lifecycle_state_encoded", "status_encoded", "source_encoded", "campus_preference_encoded",
    "engagement_level_encoded",
]


def _academic_week(created: pd.Series) -> pd.Series:
    """Week of the academic year, which starts on the first of September."""
    year_start = pd.to_datetime((created.dt.year - (created.dt.month < 9)).astype(str) + "-09-01")
    return ((created - year_start).dt.days // 7).astype(int)


def build_features(rows: pd.DataFrame) -> pd.DataFrame:
    df = rows.copy()
    created = pd.to_datetime(df["created_at"], utc=True)

    df["created_month"] = created.dt.month
    df["created_day_of_week"] = created.dt.dayofweek
    df["created_hour"] = created.dt.hour
    df["academic_week"] = _academic_week(created.dt.tz_localize(None))
    df["is_application_season"] = created.dt.month.isin(APPLICATION_SEASON_MONTHS).astype(int)

    df["score_squared"] = df["lead_score"] ** 2
    df["score_log"] = np.log1p(df["lead_score"])
    df["engagement_squared"] = df["engagement_score"] ** 2
    df["touchpoint_log"] = np.log1p(df["touchpoint_count"])

    df["email_click_rate"] = df["email_clicks"] / df["email_opens"]
    df["page_views_per_day"] = df["page_views"] / (df["days_since_created"] + 1)
    df["score_per_touchpoint"] = df["lead_score"] / df["touchpoint_count"]
    df["engagement_to_score_ratio"] = df["engagement_score"] / df["lead_score"]

    df["score_engagement_interaction"] = df["lead_score"] * df["engagement_score"] / 100.0
    df["score_time_interaction"] = df["lead_score"] / (df["days_since_created"] + 1)

    df["lifecycle_state_encoded"] = df["lifecycle_state"].map(LIFECYCLE_STATE_MAP).fillna(-1)
    df["status_encoded"] = df["status"].map(STATUS_MAP).fillna(-1)
    df["source_encoded"] = df["lead_source"].map(SOURCE_MAP).fillna(-1)
    df["campus_preference_encoded"] = df["campus_preference"].map(CAMPUS_MAP).fillna(-1)
    df["engagement_level_encoded"] = df["engagement_level"].map(ENGAGEMENT_LEVEL_MAP)

    return df[FEATURE_COLUMNS]
