"""schemathesis hooks for .ci/schemathesis.sh.

Signs calls to the partner bank's door as the bank would, so schemathesis gets
past the signature check and fuzzes the door itself: X-Provider-Signature is
the hex HMAC-SHA512 of the raw body keyed with KOBO_PROVIDER_SECRET. The body
is serialized here exactly as `requests` will send it (`json.dumps` with
`allow_nan=False`, UTF-8); it is not replaced, so schemathesis still knows
whether the case is valid or not. A case whose
generated header is missing or malformed keeps it, so the refusal of bad
signatures is tested too.
"""

import hashlib
import hmac
import json
import os
import re

import schemathesis
from schemathesis.core import NotSet

SECRET = os.environ["KOBO_PROVIDER_SECRET"].encode()
HEADER = "X-Provider-Signature"
WELL_FORMED = re.compile(r"^[0-9a-fA-F]{128}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    if not case.path.startswith("/api/v1/provider/") or isinstance(case.body, NotSet):
        return
    headers = case.headers or {}
    if not WELL_FORMED.match(str(headers.get(HEADER, ""))):
        return
    if isinstance(case.body, bytes):
        raw = case.body
    else:
        try:
            raw = json.dumps(case.body, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError):
            return
    headers[HEADER] = hmac.new(SECRET, raw, hashlib.sha512).hexdigest()
    case.headers = headers
