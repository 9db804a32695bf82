"""Task specs: schema, loading with includes, and selection."""
