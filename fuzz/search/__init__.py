"""Stage 2, the search: generate conversations, find divergences, shrink them.

``campaign`` drives Hypothesis and emits ``events``; ``sinks`` consume them
(progress line, corpus recorder); ``coverage`` measures what generation
reaches; ``determinism`` keeps a seeded search independent of imports.
"""
