"""Signing in with an organisation's account, against a loopback OpenID Connect provider
started in the test: the whole flow through Django's test client, real RS256 id_tokens."""

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

import config.urls  # noqa: F401 - first imported here, with OIDC off as by default
from agencies.models import User
from agencies.signin.single_sign_on import BACKEND
from audit.models import AuditEvent
from tests.factories import UserFactory
from tests.signin.conftest import give_code, sign_in
from tests.signin.helpers import authenticator_for, code_from
from tests.signin.oidc_provider import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, rsa_key, serve

BUTTON = "Sign in with your organisation's account"
NOT_LINKED = "Your organisation's account is not linked to a user of this service"


@pytest.fixture
def provider():
    provider = LoopbackProvider()
    server = serve(provider)
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def single_sign_on(settings, provider, monkeypatch):
    """The service with OIDC_ENABLED, pointed at the loopback provider's discovery."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_DISCOVERY = provider.discovery_url
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    settings.ROOT_URLCONF = "tests.signin.single_sign_on_urlconf"
    return provider


@pytest.fixture
def bob(db):
    """Bob chairs discussions; his council's account has his address in other capitals."""
    return UserFactory(username="bob", role="chair", email="Bob@Eastmere.gov.uk")


def sign_in_with_organisation(client: Client, provider: LoopbackProvider, *, next_to: str = ""):  # noqa: ANN201
    """Off to the provider's authorize URL, and back to the callback with a code."""
    start = client.get(reverse("oidc_authentication_init"), {"next": next_to} if next_to else {})
    assert start.status_code == 302
    authorize = urlsplit(start["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{provider.url}/authorize"
    params = parse_qs(authorize.query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["redirect_uri"] == ["http://testserver/oidc/callback/"]
    state = params["state"][0]
    assert state in client.session["oidc_states"]
    provider.nonce = params["nonce"][0]
    return client.get(reverse("oidc_authentication_callback"), {"code": "c0de", "state": state})


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def refusals() -> list[dict]:
    return list(AuditEvent.objects.filter(action="signin.refused").values_list("after", flat=True))


def test_a_matched_user_goes_on_to_the_services_own_code(single_sign_on, bob):
    device = authenticator_for(bob)
    client = Client()
    response = sign_in_with_organisation(client, single_sign_on, next_to="/discussions/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/?next=%2Fdiscussions%2F"
    assert not signed_in(client)  # not before the code

    assert give_code(client, code_from(device), next_to="/discussions/")["Location"] == (
        "/discussions/"
    )
    assert signed_in(client)
    token_request = single_sign_on.token_requests[0]
    assert token_request["code"] == ["c0de"]
    assert token_request["code_verifier"]  # PKCE


def test_someone_without_a_second_factor_is_sent_to_set_one_up(single_sign_on, bob):
    client = Client()
    response = sign_in_with_organisation(client, single_sign_on)
    assert response["Location"] == reverse("signin:setup")
    assert client.get(reverse("home"))["Location"].startswith(reverse("signin:setup"))


def test_mfa_asserted_and_allowed_signs_in_without_the_services_code(settings, single_sign_on, bob):
    settings.OIDC_ALLOW_PROVIDER_MFA = True
    single_sign_on.amr = ["pwd", "mfa"]
    authenticator_for(bob)
    client = Client()
    response = sign_in_with_organisation(client, single_sign_on)
    assert response["Location"] == reverse("home")
    assert signed_in(client)
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_mfa_asserted_but_not_allowed_still_asks_for_the_services_code(single_sign_on, bob):
    single_sign_on.amr = ["pwd", "mfa"]
    authenticator_for(bob)
    client = Client()
    assert sign_in_with_organisation(client, single_sign_on)["Location"] == reverse("signin:code")
    assert not signed_in(client)


def test_mfa_allowed_but_not_asserted_still_asks_for_the_services_code(
    settings, single_sign_on, bob
):
    settings.OIDC_ALLOW_PROVIDER_MFA = True
    authenticator_for(bob)
    client = Client()
    assert sign_in_with_organisation(client, single_sign_on)["Location"] == reverse("signin:code")


def refused(client: Client, provider: LoopbackProvider) -> str:
    response = sign_in_with_organisation(client, provider)
    assert response.status_code == 403
    assert not signed_in(client)
    return response.text


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: setattr(p, "signing_key", rsa_key()), id="signed-with-another-key"),
        pytest.param(lambda p: p.id_token_overrides.update(aud="another-app"), id="audience"),
        pytest.param(
            lambda p: p.id_token_overrides.update(iss="https://evil.example"), id="issuer"
        ),
        pytest.param(
            lambda p: p.id_token_overrides.update(
                exp=int(time.time()) - 3600, iat=int(time.time()) - 7200
            ),
            id="expired",
        ),
        pytest.param(lambda p: p.id_token_overrides.update(nonce="replayed"), id="nonce"),
        pytest.param(lambda p: setattr(p, "raw_id_token", "not.a.token"), id="garbage"),
        pytest.param(
            lambda p: setattr(
                p,
                "raw_id_token",
                jwt.encode({"iss": p.url, "aud": CLIENT_ID, "email": p.email}, None, "none"),
            ),
            id="unsigned",
        ),
        pytest.param(
            lambda p: setattr(
                p,
                "raw_id_token",
                jwt.encode(
                    {"iss": p.url, "aud": CLIENT_ID, "sub": "x", "email": p.email},
                    CLIENT_SECRET,
                    "HS256",
                    headers={"kid": p.kid},
                ),
            ),
            id="hs256-with-the-client-secret",
        ),
    ],
)
def test_a_forged_or_unfit_id_token_is_refused(single_sign_on, bob, spoil):
    authenticator_for(bob)
    spoil(single_sign_on)
    page = refused(Client(), single_sign_on)
    assert "You could not be signed in with your organisation" in page
    assert refusals() == [{"via": "organisation account", "reason": "token_refused", "email": ""}]


def test_an_unknown_email_is_refused_and_no_user_is_created(single_sign_on, bob):
    single_sign_on.email = "stranger@eastmere.gov.uk"
    users = User.objects.count()
    page = refused(Client(), single_sign_on)
    assert NOT_LINKED in page
    assert "ask an administrator" in page.lower()
    assert User.objects.count() == users
    assert refusals() == [
        {"via": "organisation account", "reason": "not_linked", "email": "stranger@eastmere.gov.uk"}
    ]


def test_a_deactivated_user_is_refused(single_sign_on, bob):
    bob.is_active = False
    bob.save()
    assert NOT_LINKED in refused(Client(), single_sign_on)


def test_an_unverified_email_is_refused(single_sign_on, bob):
    single_sign_on.email_verified = False
    page = refused(Client(), single_sign_on)
    assert NOT_LINKED in page
    assert "did not confirm that the email address" in page
    assert refusals()[0]["reason"] == "email_not_verified"


def test_entra_ids_verified_domain_claim_counts_as_verified(single_sign_on, bob):
    single_sign_on.email_verified = False
    single_sign_on.id_token_overrides = {"email_verified": None, "xms_edov": True}
    client = Client()
    assert sign_in_with_organisation(client, single_sign_on)["Location"] == reverse("signin:setup")


def test_a_state_this_browser_never_started_is_refused(single_sign_on, bob):
    client = Client()
    client.get(reverse("oidc_authentication_init"))
    response = client.get(
        reverse("oidc_authentication_callback"), {"code": "c", "state": "made-up"}
    )
    assert response.status_code == 403
    assert not signed_in(client)


def test_the_sign_in_page_offers_the_organisation_account_above_the_password(single_sign_on):
    page = Client().get(reverse("login"), {"next": "/discussions/"}).text
    assert BUTTON in page
    assert 'href="/oidc/authenticate/?next=%2Fdiscussions%2F"' in page
    assert page.index(BUTTON) < page.index('name="password"')


def test_a_provider_that_does_not_answer_gets_a_page(settings, single_sign_on):
    settings.OIDC_OP_DISCOVERY = "http://127.0.0.1:9/.well-known/openid-configuration"
    response = Client().get(reverse("oidc_authentication_init"))
    assert response.status_code == 503
    assert "signing in with your organisation" in response.text


def test_with_single_sign_on_off_nothing_changes(db):
    page = Client().get(reverse("login")).text
    assert BUTTON not in page
    assert "organisation" not in page
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/", {"code": "c", "state": "s"}).status_code == 404


def test_the_pages_answer_404_if_it_is_switched_off_while_they_are_routed(settings, single_sign_on):
    settings.OIDC_ENABLED = False
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/", {"code": "c", "state": "s"}).status_code == 404
    assert BUTTON not in Client().get(reverse("login")).text


def test_signing_out_ends_the_providers_session_too(settings, single_sign_on, bob):
    settings.OIDC_ALLOW_PROVIDER_MFA = True
    single_sign_on.amr = ["pwd", "mfa"]
    authenticator_for(bob)
    client = Client()
    sign_in_with_organisation(client, single_sign_on)
    assert signed_in(client)

    response = client.post(reverse("logout"))

    assert not signed_in(client)
    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == (
        f"{single_sign_on.url}/logout"
    )
    params = parse_qs(end_session.query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["post_logout_redirect_uri"] == [f"{settings.SITE_URL}/sign-in/"]
    [hint] = params["id_token_hint"]
    claims = jwt.decode(
        hint, single_sign_on.key.public_key(), algorithms=["RS256"], audience=CLIENT_ID
    )
    assert claims["sub"] == "entra-object-id-bob"


def test_after_a_password_sign_in_signing_out_stays_with_the_service(single_sign_on, bob):
    client = Client()
    sign_in(client, bob)
    assert signed_in(client)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_a_provider_without_an_end_session_endpoint_signs_out_of_the_service_only(
    settings, single_sign_on, bob
):
    single_sign_on.ends_sessions = False
    settings.OIDC_ALLOW_PROVIDER_MFA = True
    single_sign_on.amr = ["pwd", "mfa"]
    authenticator_for(bob)
    client = Client()
    sign_in_with_organisation(client, single_sign_on)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert not signed_in(client)
