"""`make bench`: throughput, scaling and memory, measured side by side in one run (asserts nothing)."""
