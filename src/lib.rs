//! kafka-mirror
