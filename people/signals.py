"""Model signals of the people app (training triggers arrive with the recognition engine)."""
