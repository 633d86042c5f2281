"""Observability: traces (OpenTelemetry), correlated logs, Prometheus metrics, cost and budgets, explain.

A module per concern: `tracing` (spans; off at no cost unless OTEL_EXPORTER_OTLP_ENDPOINT is set),
`logs` (one structured line per event that matters), `metrics` (the Prometheus registry), `cost` (the
price table and the per-request budget), `explain` (a turn's decision chain from Postgres), `dashboard`
(the service's page). The rest of the code base reaches them through a few hooks: a LangChain callback
handler (graph, nodes, model and tool calls), `metered()` at each decision point, the store connection
helper, the write-action step and the outbox worker.
"""
