"""The evaluation runs' part of the GraphQL API: `evaluation.graphql` (SDL) and its resolvers."""
