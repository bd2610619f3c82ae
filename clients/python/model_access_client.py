"""Request, approve or reject at a cdk-model-access pipeline, as yourself, from Python.

The pipeline's endpoints count a caller only by a proof the handler checks with STS itself: a
presigned sts:GetCallerIdentity whose signature covers a header binding it to one payload, one
endpoint and one pipeline, valid for five minutes. This is the same protocol as the
`model-access request`, `approve` and `reject` commands (see the README), with boto3's credentials.

    python3 model_access_client.py approve APPROVAL_URL REQUEST_ID [--reason TEXT] [--region R] [--profile P]
    python3 model_access_client.py reject APPROVAL_URL REQUEST_ID --reason TEXT [--region R] [--profile P]
    python3 model_access_client.py request REQUEST_URL FILE [--region R] [--profile P]

Needs boto3 and requests.
"""

import argparse
import hashlib
import json
import re
import sys

import boto3
import requests
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest

BINDING_HEADER = "x-model-access-binding"
PROOF_SECONDS = 300


def binding(audience: str, purpose: str, payload: str) -> str:
    """What the proof's signed header carries: SHA-256 over the protocol, pipeline, endpoint and payload."""
    text = "\n".join(["model-access-proof/1", audience, purpose, payload])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sign_proof(credentials, region: str, audience: str, purpose: str, payload: str) -> str:
    """A GetCallerIdentity request presigned with the caller's credentials, bound to the payload."""
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    host = f"sts.{region}{suffix}"
    request = AWSRequest(
        method="GET",
        url=f"https://{host}/?Action=GetCallerIdentity&Version=2011-06-15",
        headers={"host": host, BINDING_HEADER: binding(audience, purpose, payload)},
    )
    SigV4QueryAuth(credentials, "sts", region, expires=PROOF_SECONDS).add_auth(request)
    return request.url


def call(url: str, purpose: str, payload: dict, region: str = None, session=None) -> requests.Response:
    """POSTs the payload to a pipeline endpoint, signed for its IAM auth, with a proof of who you are."""
    session = session or boto3.Session()
    region = region or (re.search(r"\.lambda-url\.([a-z0-9-]+)\.on\.aws$", url.split("/")[2]) or [None, None])[1]
    if not region:
        raise SystemExit(f"cannot tell the region of {url}; give --region")
    credentials = session.get_credentials().get_frozen_credentials()
    text = json.dumps(payload)

    def post(body: dict) -> requests.Response:
        request = AWSRequest(
            method="POST", url=url, data=json.dumps(body), headers={"content-type": "application/json"}
        )
        SigV4Auth(credentials, "lambda", region).add_auth(request)
        return requests.post(url, data=request.body, headers=dict(request.headers), allow_redirects=False)

    # A call without a proof is refused with the pipeline's name, which the proof binds.
    first = post({"payload": text})
    audience = first.json().get("audience") if first.status_code == 401 else None
    if not isinstance(audience, str):
        return first
    return post({"payload": text, "proof": sign_proof(credentials, region, audience, purpose, text)})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["request", "approve", "reject"])
    parser.add_argument("url")
    parser.add_argument("subject", help="FILE for request, REQUEST_ID for approve and reject")
    parser.add_argument("--reason")
    parser.add_argument("--region")
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    if args.command == "reject" and not args.reason:
        parser.error("reject needs --reason")
    if args.command == "request":
        with open(args.subject, encoding="utf-8-sig") as f:
            payload, purpose = json.load(f), "request"
    else:
        payload = {"requestId": args.subject, "decision": args.command}
        if args.reason:
            payload["reason"] = args.reason
        purpose = "decision"
    session = boto3.Session(profile_name=args.profile) if args.profile else boto3.Session()
    answer = call(args.url, purpose, payload, args.region, session)
    if 200 <= answer.status_code < 300:
        print(json.dumps(answer.json(), indent=2))
        return 0
    for error in answer.json().get("errors", [answer.text]):
        print(f"{args.command} refused ({answer.status_code}): {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
