"""Sessions and guessing: the session id changes at login and dies at logout; the cookies are
HttpOnly and SameSite=Lax; guessing passwords or tracking codes runs into the rate limits,
through every door that takes one."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from grassroots.settings import Settings
from grassroots.web import ANON_COOKIE, SESSION_COOKIE
from tests.conftest import csrf_from
from tests.security.conftest import PASSWORD, USERNAMES, Scene, token_of
from tests.security.test_headers import missing_headers

TRACK_LIMIT = 10  # forum/mailbox/routes.py: wrong codes from one address in a quarter hour


def login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def logged_in(app, cookie: str) -> bool:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as fresh:
        return fresh.get("/me", headers={"cookie": f"{SESSION_COOKIE}={cookie}"}).status_code == 200


def test_a_planted_session_id_is_not_kept_at_login(app, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as victim:
        victim.cookies.set(SESSION_COOKIE, "planted-by-the-attacker")
        victim.cookies.set(ANON_COOKIE, "planted-anonymous-key")
        token = csrf_from(victim.get("/login", headers={"cookie": f"{ANON_COOKIE}=planted-anonymous-key"}))
        response = victim.post(
            "/login",
            data={"username": "resident01", "password": PASSWORD, "csrf_token": token},
            headers={"cookie": f"{ANON_COOKIE}=planted-anonymous-key"},
        )
        assert response.status_code == 303
        issued = response.cookies.get(SESSION_COOKIE)
        assert issued and issued != "planted-by-the-attacker"
        assert f'{ANON_COOKIE}=""' in response.headers.get("set-cookie", "")  # the anonymous key dies


def test_the_session_id_changes_at_every_login(app, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as client:
        first = login(client, "resident01").cookies.get(SESSION_COOKIE)
        again = {"username": "resident01", "password": PASSWORD, "csrf_token": token_of(client)}
        second = client.post("/login", data=again).cookies.get(SESSION_COOKIE)
        assert first and second and first != second
        assert not logged_in(app, first), "the session a second login replaced still works"
        assert logged_in(app, second)


def test_after_logout_the_old_cookie_is_useless(app, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as client:
        cookie = login(client, "member01").cookies.get(SESSION_COOKIE)
        assert cookie and logged_in(app, cookie)
        token = token_of(client)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert not logged_in(app, cookie)
        # Nor may the old token be replayed for a form.
        with TestClient(app, follow_redirects=False) as replay:
            replay.cookies.set(SESSION_COOKIE, cookie)
            replayed = replay.post("/me/profile", data={"display_name": "x", "csrf_token": token})
            assert replayed.status_code == 403
            assert replay.get("/me").status_code == 303


def test_session_cookies_are_http_only_and_same_site(app, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as client:
        anonymous = client.get("/login").headers["set-cookie"]
        issued = login(client, "resident01").headers.get_list("set-cookie")
    for header in [anonymous, *issued]:
        lowered = header.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered, header


def test_password_guessing_is_throttled(as_role: Callable[[str], TestClient], settings: Settings) -> None:
    attacker = as_role("anonymous")
    for _ in range(settings.login_limit_account):
        assert login(attacker, "resident01", "wrong guess").status_code == 400
    throttled = login(attacker, "resident01", PASSWORD)  # even the right password now waits
    assert throttled.status_code == 429
    assert not missing_headers(throttled)
    assert SESSION_COOKIE not in throttled.cookies
    # Another account from the same address still may, until the address's own limit.
    assert login(as_role("anonymous"), USERNAMES["member"]).status_code == 303


def test_guessing_many_accounts_from_one_address_is_throttled(
    as_role: Callable[[str], TestClient], settings: Settings
) -> None:
    attacker = as_role("anonymous")
    names = [f"nobody{i}" for i in range(settings.login_limit_address)]
    for name in names:
        assert login(attacker, name, "wrong guess").status_code == 400
    assert login(attacker, USERNAMES["admin"], PASSWORD).status_code == 429


def _guess_track(client: TestClient, scene: Scene, guess: str):  # type: ignore[no-untyped-def]
    return client.get("/mailbox/track", params={"code": guess})


def _guess_writer(client: TestClient, scene: Scene, guess: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/mailbox/writer/rate",
        data={"code": guess, "rating": "satisfied", "solved": "1", "csrf_token": token_of(client)},
    )


def _guess_attachment(client: TestClient, scene: Scene, guess: str):  # type: ignore[no-untyped-def]
    return client.get(f"/mailbox/attachments/{scene['attachment']}", params={"code": guess})


def test_tracking_codes_cannot_be_guessed_through_any_door(
    as_role: Callable[[str], TestClient], scene: Scene
) -> None:
    doors = (_guess_track, _guess_writer, _guess_attachment)
    attacker = as_role("anonymous")
    wrong = "2222-2222-2222-2222"
    for i in range(TRACK_LIMIT):
        response = doors[i % len(doors)](attacker, scene, wrong)
        assert response.status_code == 404, (doors[i % len(doors)].__name__, response.status_code)
    for door in doors:
        response = door(attacker, scene, scene["code"])  # the right code, too late
        assert response.status_code == 429, (door.__name__, response.status_code)
        assert not missing_headers(response)


def test_invite_codes_cannot_be_guessed(as_role: Callable[[str], TestClient]) -> None:
    guesser = as_role("resident")
    guess = {"code": "2222-2222-2222", "csrf_token": token_of(guesser)}
    for _ in range(10):  # grassroots/accounts/organizations.py: REDEEM_LIMIT
        assert guesser.post("/me/invite", data=guess).status_code == 400
    throttled = guesser.post("/me/invite", data=guess)
    assert throttled.status_code == 429
    assert not missing_headers(throttled)
