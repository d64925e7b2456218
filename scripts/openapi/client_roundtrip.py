"""Uses the client that openapi-python-client generated from the served OpenAPI document:
signs in as the demo NGO member, creates an application in an open call and reads it back.
Every call goes through the generated functions and models, so a document that misstates a
request or an answer fails here. Usage: client_roundtrip.py BASE_URL EMAIL PASSWORD"""

import sys
import uuid

from trustfund_client import AuthenticatedClient, Client
from trustfund_client.api.applications import create_application, get_application
from trustfund_client.api.auth import login
from trustfund_client.api.calls import list_calls
from trustfund_client.models import (
    ApplicationView,
    CallStatus,
    LoginRequest,
    TokenPair,
    UpdateApplication,
)


def main() -> int:
    base_url, email, password = sys.argv[1:4]
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    tokens = login.sync(client=anonymous, body=LoginRequest(email=email, password=password))
    assert isinstance(tokens, TokenPair), f"login answered {tokens!r}"
    client = AuthenticatedClient(
        base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True
    )

    calls = list_calls.sync(client=client, status=CallStatus.OPEN)
    assert calls is not None and not isinstance(calls, Exception), calls
    open_calls = [c for c in calls.items if c.status == CallStatus.OPEN and c.accepting_submissions]
    assert open_calls, f"the demo data has no open call: {calls!r}"
    call = open_calls[0]

    title = f"Generated-client application {uuid.uuid4().hex[:8]}"
    created = create_application.sync_detailed(
        client=client, id=call.id, body=UpdateApplication(title=title)
    )
    assert created.status_code == 201, f"create answered {created.status_code}: {created.content!r}"
    assert isinstance(created.parsed, ApplicationView), created.parsed
    application = created.parsed

    read = get_application.sync(client=client, id=application.id)
    assert isinstance(read, ApplicationView), f"read back answered {read!r}"
    assert read.id == application.id and read.title == title, (read, application)
    assert read.status == application.status, (read.status, application.status)
    print(
        f"generated client: created application {read.id} ({read.status.value}) "
        f"in call {call.id} and read it back"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
