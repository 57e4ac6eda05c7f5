"""pandas and numpy: frames, readers, writers and the calendar."""
from wicked_data.checks.analysis.libraries.table import Library, rows

LIBRARY = Library("pandas", "pandas frames", (
    *rows("frame", "pandas.read_csv", "pandas.read_parquet", "pandas.read_sql", "pandas.read_sql_query",
          "pandas.read_excel", "pandas.read_json", "pandas.DataFrame", "pandas.read_feather", "pandas.read_table",
          "pandas.concat", "pandas.merge"),
    *rows("column", "pandas.Series"),
    *rows("clock", "pandas.Timestamp.now", "pandas.Timestamp.today", "pandas.Timestamp.utcnow",
          "pandas.datetime.now", "pandas.datetime.today"),
    *rows("clock_string", "pandas.Timestamp", "pandas.to_datetime", "pandas.Timestamp.fromisoformat"),
    *rows("write_method", "to_csv", "to_parquet", "to_pickle", "to_json", "to_excel", "to_feather", "to_sql",
          "to_hdf", "to_orc"),
))

NUMPY = Library("numpy", "numpy arrays", (
    *rows("clock_string", "numpy.datetime64"),
    *rows("write", "numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt"),
))
