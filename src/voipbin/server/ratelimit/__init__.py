"""Rate limiting (CONVENTIONS.md §9): GCRA buckets per client IP (in this process) and per
customer (shared through Redis when configured), with the headers of the tightest layer."""
