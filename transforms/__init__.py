"""newsbeam stages: one module a stage, each a plain per-record function plus a thin Beam wrapper."""
