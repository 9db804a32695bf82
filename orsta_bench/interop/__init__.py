"""Data in and out of other harnesses: V-Triune parquet, plain HF parquet, lmms-eval task folders."""
