"""polars, eager and lazy: readers, writers, the shuffling sample. Its expressions (`pl.col`,
`with_columns`, `over`, `join_asof`) are read by the flow as calls on the frame."""
from wicked_data.checks.analysis.libraries.table import Library, rows

LIBRARY = Library("polars", "polars frames and expressions", (
    *rows("frame", "polars.read_csv", "polars.read_parquet", "polars.read_ipc", "polars.read_json",
          "polars.read_database", "polars.read_excel", "polars.scan_csv", "polars.scan_parquet",
          "polars.scan_ipc", "polars.DataFrame", "polars.LazyFrame", "polars.concat", "polars.from_pandas"),
    *rows("column", "polars.Series"),
    *rows("write_method", "write_csv", "write_parquet", "write_ipc", "write_json", "write_database",
          "sink_parquet", "sink_csv"),
), modelled="partial",
    unseen="expressions inside with_columns/select (pl.col(...).mean().over(...)) are read as columns of "
           "the frame, but a column built by an expression is not traced to the columns it reads")
