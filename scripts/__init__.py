"""Scripts run by hand or by the Makefile; a package so that `python -m scripts.benchmark` works."""
