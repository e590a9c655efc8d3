"""Batch re-scoring of historical cases (`jiesu rescore`): input files read in chunks, every chunk scored
by the suggester and written as one Parquet shard, resumable after any interruption, then summarised
(agreement with what was done, the most frequent disagreements, the share sent to a person)."""
