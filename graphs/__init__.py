"""Graph construction only: the router graph, one module per domain subgraph, state schemas."""
