"""What the processes tell their operators: request ids in the logs and Prometheus metrics.

Below every app (any of them may count or log), importing none of them."""
