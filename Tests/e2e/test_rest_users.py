"""PlaceOS's user routes beyond CRUD on the real binary: `GET users/groups?emails=` answers the
groups of the caller's domain's users; in a domain that keeps deleted users, `DELETE users/:id`
marks the user deleted (one commit) and they can no longer sign in or use a token they hold,
`POST users/:id/revive` brings them back, and `force_removal=true` removes the file."""
import requests

from auth_server import PASSWORD, USERS
from test_rest_crud import API, Client, auth, git  # noqa: F401 (auth: a signed-in server of this module's own)

DOMAIN = "authority-harbourpoint"


def password_grant(auth, role):
    return requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "password", "client_id": "app-pkce",
                                                                "username": USERS[role], "password": PASSWORD})


def user_id(admin, email):
    answer = admin.get("/users/" + email)
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def test_groups_by_email_for_anyone_signed_in(auth):
    admin, plain = Client(auth, "admin"), Client(auth, "user")
    sam = user_id(admin, USERS["support"])
    answer = admin.patch("/users/" + sam, json={"groups": ["facilities", "level-2"]})
    assert answer.status_code == 200, answer.text
    answer = plain.get("/users/groups", params={"emails": USERS["support"].upper() + ",nobody@harbourpoint.example"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == [{"id": sam, "groups": ["facilities", "level-2"]}]
    bad = plain.get("/users/groups", params={"emails": USERS["support"] + ",not-an-email"})
    assert bad.status_code == 422 and bad.json()["failures"] == [{"field": "emails", "reason": "not-an-email is an invalid email"}]
    assert plain.get("/users/groups").status_code == 400
    assert requests.get(auth.base + API + "/users/groups", params={"emails": USERS["support"]}).status_code == 401


def test_a_soft_deleted_user_cannot_sign_in_until_revived(auth):
    admin = Client(auth, "admin")
    domain = admin.get("/domains/" + DOMAIN).json()
    answer = admin.patch("/domains/" + DOMAIN, json={"internals": {**(domain.get("internals") or {}), "soft_delete": True}})
    assert answer.status_code == 200, answer.text
    uma = user_id(admin, USERS["user"])
    held = Client(auth, "user")  # a token Uma holds from before
    assert held.get("/users/current").status_code == 200

    assert admin.delete("/users/" + uma).status_code == 202
    assert git(auth, "show", "main:users/%s.json" % uma).count('"deleted": true') == 1
    assert "deleted" in git(auth, "log", "-1", "--format=%s")
    listed = [user["id"] for user in admin.get("/users").json()]
    assert uma not in listed and uma in [user["id"] for user in admin.get("/users", params={"include_deleted": "true"}).json()]
    refused = password_grant(auth, "user")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", refused.text
    assert held.get("/users/current").status_code == 401

    # Reviving is an admin's: a plain user (even Uma's own old token) cannot.
    assert Client(auth, "support").post("/users/%s/revive" % uma).status_code == 403
    assert admin.post("/users/%s/revive" % uma).status_code == 200
    assert admin.get("/users/" + uma).json().get("deleted") in (None, False)
    assert password_grant(auth, "user").status_code == 200
    assert held.get("/users/current").status_code == 200

    # force_removal removes the file even in a domain that keeps deleted users.
    created = admin.post("/users", json={"name": "Temp Person", "email": "temp@harbourpoint.example", "authority_id": DOMAIN})
    assert created.status_code == 201, created.text
    temp = created.json()["id"]
    assert admin.delete("/users/" + temp, params={"force_removal": "true"}).status_code == 202
    assert admin.get("/users/" + temp).status_code == 404
    assert admin.post("/users/%s/revive" % temp).status_code == 404
