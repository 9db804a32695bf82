"""Developer scripts (GPU benchmarks); a package only so the import contracts (.importlinter) can check them."""
