"""A loopback OpenID Connect provider for tests: discovery, JWKS, a token endpoint answering
with an RS256-signed id_token, and userinfo, served by http.server in a thread."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "strategy-discussions"
CLIENT_SECRET = "loopback-secret-long-enough-for-hs256-keys"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class LoopbackProvider:
    """What the provider says about the person signing in; tests change it as they need."""

    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)
    kid: str = "loopback-1"
    email: str = "bob@eastmere.gov.uk"
    email_verified: bool = True
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    nonce: str = ""
    # Claims laid over the good ones, and a key to sign with instead of the published one.
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    signing_key: rsa.RSAPrivateKey | None = None
    raw_id_token: str | None = None
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    url: str = ""
    ends_sessions: bool = True  # publishes an end_session_endpoint (RP-initiated logout)

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            **({"end_session_endpoint": f"{self.url}/logout"} if self.ends_sessions else {}),
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self) -> str:
        if self.raw_id_token is not None:
            return self.raw_id_token
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "entra-object-id-bob",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            "email": self.email,
            "email_verified": self.email_verified,
            "amr": self.amr,
            **self.id_token_overrides,
        }
        return jwt.encode(
            claims, self.signing_key or self.key, algorithm="RS256", headers={"kid": self.kid}
        )

    def userinfo(self) -> dict[str, Any]:
        return {"sub": "entra-object-id-bob", "email": self.email, "name": "Bob"}


def serve(provider: LoopbackProvider) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def answer(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/.well-known/openid-configuration":
                self.answer(provider.discovery())
            elif self.path == "/jwks":
                self.answer(provider.jwks())
            elif self.path == "/userinfo" and self.headers.get("Authorization", "").startswith(
                "Bearer "
            ):
                self.answer(provider.userinfo())
            else:
                self.send_error(404)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            provider.token_requests.append(form)
            if self.path != "/token" or form.get("client_secret") != [CLIENT_SECRET]:
                self.send_error(401)
                return
            self.answer(
                {
                    "access_token": "loopback-access",
                    "token_type": "Bearer",
                    "id_token": provider.id_token(),
                }
            )

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
