"""A REST API imported from OpenAPI keeps its `x-amazon-apigateway-gateway-responses`.

AWS: a REST API created or overwritten from an OpenAPI document applies the document's
`x-amazon-apigateway-gateway-responses` extension as the API's gateway responses (the
bodies API Gateway itself answers with: 401 from an authorizer, a route that does not
exist, ...). SAM's `AWS::Serverless::Api` `GatewayResponses` property is written there.

MiniStack 1.5.33: `_import_rest_api` reads the paths and security schemes of the
document, not this extension, so the API answers with the built-in
`{"message": "Unauthorized"}` bodies.

Fix (upstreamable as a loop in `apigateway_v1._import_rest_api`): after the import, each
entry of the extension is put as a gateway response of the API, as PutGatewayResponse
would. Its test is
tests/integration/test_api_route.py::test_every_route_needs_a_token_but_the_documentation.
"""

from __future__ import annotations

import functools
from typing import Any

from ministack.services import apigateway_v1

EXTENSION = "x-amazon-apigateway-gateway-responses"


def apply() -> None:
    apigateway_v1._import_rest_api = _with_gateway_responses(apigateway_v1._import_rest_api)


def _with_gateway_responses(import_rest_api: Any) -> Any:
    @functools.wraps(import_rest_api)
    def wrapper(spec: dict, *args: Any, **kwargs: Any) -> Any:
        api_id = import_rest_api(spec, *args, **kwargs)
        for response_type, response in (spec.get(EXTENSION) or {}).items():
            status, _headers, body = apigateway_v1._put_gateway_response(
                api_id,
                response_type,
                {
                    "statusCode": response.get("statusCode"),
                    "responseParameters": response.get("responseParameters"),
                    "responseTemplates": response.get("responseTemplates"),
                },
            )
            if status >= 400:
                raise ValueError(f"gateway response {response_type}: {body!r}")
        return api_id

    return wrapper
