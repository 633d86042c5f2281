"""Graph construction only: the router graph, the one shape of a domain subgraph, state schemas."""
