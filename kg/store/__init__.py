"""The store: its layout on disk, the query interface every caller uses, the worker pool, the guard."""
