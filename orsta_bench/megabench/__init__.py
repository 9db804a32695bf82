"""MEGA-Bench-compatible scoring and data: official parsers, metrics, aggregation, data source,
program sandbox and judge hook (see docs/megabench.md)."""
