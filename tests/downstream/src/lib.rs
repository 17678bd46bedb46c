//! Nothing: the proof is in `tests/`, which uses kafka-mirror as generated
//! from this crate's own `openapi/` (made by `edit-specs.py`).
