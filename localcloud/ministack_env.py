"""The environment MiniStack is configured with.

MiniStack reads its settings from environment variables when its modules are
imported, so these must be in `os.environ` before the first `import ministack`.
"""

from __future__ import annotations

from localcloud.settings import Settings

# The services the template and the tools around it use. Everything else stays
# unrouted: fewer modules loaded, and nothing listens that we do not need.
SERVICES = (
    "apigateway",
    "cloudformation",
    "cognito-idp",
    "dynamodb",
    "events",
    "iam",
    "lambda",
    "logs",
    "monitoring",
    "s3",
    "scheduler",
    "sqs",
    "ssm",
    "states",
    "sts",
)


def ministack_environment(settings: Settings) -> dict[str, str]:
    env = {
        "GATEWAY_PORT": str(settings.port),
        # AWS listens where you tell it; MiniStack defaults to every interface.
        "BIND_HOST": settings.host,
        "MINISTACK_HOST": "localhost",
        "MINISTACK_REGION": settings.region,
        "SERVICES": ",".join(SERVICES),
        "LAMBDA_EXECUTOR": "local",
        # Extra listeners MiniStack opens on other ports (SFTP, IoT mTLS): off.
        "SFTP_ENABLED": "0",
        "IOT_MTLS_ENABLED": "0",
        "SFN_WAIT_SCALE": str(settings.sfn_wait_scale),
        "LOG_LEVEL": "INFO",
    }
    if settings.persist:
        env.update(
            {
                "PERSIST_STATE": "1",
                "STATE_DIR": str(settings.state_dir / "state"),
                "S3_PERSIST": "1",
                "S3_DATA_DIR": str(settings.state_dir / "s3"),
            }
        )
    return env
