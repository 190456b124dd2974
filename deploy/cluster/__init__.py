"""A multi-host run of the reference deployment on one machine (`make cluster-test`).

Hosts are Linux network namespaces made by the run itself; see docs/operations-and-production.md,
"Several machines".
"""
