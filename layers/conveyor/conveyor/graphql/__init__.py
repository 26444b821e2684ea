"""GraphQL for the workloads: schema-first (SDL files), composed into one schema, served
at `POST /graphql` on the REST API by one function (`functions/graphql`).

- `schema`: each workload gives a `GraphqlModule` (its SDL and its ariadne bindables);
  `compose` builds the executable schema from the shared base (`base.graphql`) and them;
- `errors`: refusals and validation errors answered with `extensions.code` and
  `extensions.field`, anything else as INTERNAL without its text;
- `http`: the route that runs an operation for the verified caller;
- `documents`: operations parsed and validated once per container (a polled query).
"""
