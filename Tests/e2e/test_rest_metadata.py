"""PlaceOS's metadata routes and the zone and system lookups on the real binary: metadata read
by parent, merge-upserted (one commit by the caller, checked with git), validated against its
schema, its history, bulk and children; who may write whose metadata; zone tags and triggers,
systems by email."""
import pytest

from auth_server import AuthServer
from test_rest_crud import Client, commits, last_author

ZONE = "zone-hp-tower"


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    try:
        yield server
    finally:
        server.stop()


def test_read_by_parent_and_by_its_routes(auth):
    user = Client(auth, "user")
    answer = user.get("/metadata/" + ZONE)
    assert answer.status_code == 200, answer.text
    features = answer.json()["features"]
    assert features["parent_id"] == ZONE and features["schema_id"] == "schema-zone-features"
    assert features["details"]["visitor_kiosk"] is True and isinstance(features["updated_at"], int)
    assert user.get("/metadata/" + ZONE, params={"name": "nope"}).json() == {}
    assert user.get("/zones/%s/metadata" % ZONE).json() == answer.json()
    boardroom = user.get("/systems/l3-boardroom@harbourpoint.example/metadata").json()
    assert list(boardroom) == ["av-notes"] and boardroom["av-notes"]["editors"] == ["support"]
    missing = user.get("/metadata/zone-nope")
    assert missing.status_code == 404 and "zone-nope" in missing.json()["error"]


def test_patch_merges_details_put_replaces_one_commit_each(auth):
    support = Client(auth, "support")
    before = commits(auth)
    created = support.patch("/metadata/sys-l1-huddle", json={"name": "rest-notes", "details": {"a": 1, "b": {"c": 2}}})
    assert created.status_code == 201, created.text
    assert commits(auth) == before + 1 and last_author(auth) == "Support <sam@harbourpoint.example>"
    merged = support.patch("/metadata/sys-l1-huddle", json={"name": "rest-notes", "details": {"b": {"d": 3}, "a": None}})
    assert merged.status_code == 200 and merged.json()["details"] == {"b": {"c": 2, "d": 3}}
    replaced = support.put("/metadata/sys-l1-huddle", json={"name": "rest-notes", "details": {"z": True}, "description": "put"})
    assert replaced.status_code == 200 and replaced.json()["details"] == {"z": True}
    assert commits(auth) == before + 3
    history = support.get("/metadata/sys-l1-huddle/history", params={"name": "rest-notes"}).json()["rest-notes"]
    assert [entry["details"] for entry in history] == [{"z": True}, {"b": {"c": 2, "d": 3}}, {"a": 1, "b": {"c": 2}}]
    assert history[0]["modified_by"] == "Support"
    assert support.delete("/metadata/sys-l1-huddle", params={"name": "rest-notes"}).status_code == 202
    assert commits(auth) == before + 4
    assert support.get("/metadata/sys-l1-huddle", params={"name": "rest-notes"}).json() == {}
    assert support.delete("/metadata/sys-l1-huddle", params={"name": "rest-notes"}).status_code == 404


def test_details_must_match_the_schema_and_nothing_is_written(auth):
    support = Client(auth, "support")
    before = commits(auth)
    refused = support.patch("/metadata/" + ZONE, json={"name": "features", "details": {"parking": "yes"}})
    assert refused.status_code == 422, refused.text
    assert any(failure["field"].startswith("details") for failure in refused.json()["failures"])
    bad_name = support.put("/metadata/" + ZONE, json={"name": "../escape", "details": {}})
    assert bad_name.status_code == 422 and bad_name.json()["failures"][0]["field"] == "name"
    assert commits(auth) == before


def test_a_user_writes_only_their_own_metadata(auth):
    user = Client(auth, "user")
    me = user.get("/users/current").json()["id"]
    before = commits(auth)
    assert user.patch("/metadata/" + ZONE, json={"name": "mine", "details": {}}).status_code == 403
    assert user.delete("/metadata/sys-l3-boardroom", params={"name": "av-notes"}).status_code == 403
    own = user.patch("/metadata/" + me, json={"name": "preferences", "details": {"theme": "dark"}})
    assert own.status_code == 201, own.text
    assert last_author(auth) == "User <uma@harbourpoint.example>" and commits(auth) == before + 1
    # Only support hands out editing rights.
    editors = user.patch("/metadata/" + me, json={"name": "preferences", "editors": ["everyone"]})
    assert editors.status_code == 422 and editors.json()["failures"][0]["field"] == "editors"
    # Another user's metadata is theirs and support's.
    support = Client(auth, "support")
    support_id = support.get("/users/current").json()["id"]
    assert user.get("/metadata/" + support_id).status_code == 403
    assert support.get("/metadata/" + me).json()["preferences"]["details"] == {"theme": "dark"}
    # PlaceOS's users/:id/metadata, the user named by id or email, with the same rule.
    assert user.get("/users/uma@harbourpoint.example/metadata").json()["preferences"]["details"] == {"theme": "dark"}
    assert support.get("/users/%s/metadata" % me, params={"name": "preferences"}).json().keys() == {"preferences"}
    assert user.get("/users/%s/metadata" % support_id).status_code == 403
    assert user.delete("/metadata/" + me, params={"name": "preferences"}).status_code == 202
    assert commits(auth) == before + 2


def test_bulk_and_children(auth):
    user = Client(auth, "user")
    bulk = user.get("/metadata/features/bulk", params={"parent_ids": ZONE + ",zone-hp-l1,zone-nope"})
    assert bulk.status_code == 200 and list(bulk.json()) == [ZONE]
    assert user.get("/metadata/features/bulk").status_code == 400
    children = user.get("/metadata/%s/children" % ZONE).json()
    assert [child["zone"]["id"] for child in children] == ["zone-hp-l1", "zone-hp-l2", "zone-hp-l3"]
    assert all(child["metadata"] == {} for child in children)


def test_zone_tags_and_triggers_systems_by_email(auth):
    user = Client(auth, "user")
    assert user.get("/zones/tags").json() == ["building", "level", "org"]
    assert user.get("/zones/%s/triggers" % ZONE).status_code == 403
    triggers = Client(auth, "support").get("/zones/%s/triggers" % ZONE).json()
    assert [trigger["id"] for trigger in triggers] == ["trigger-vacant-hvac-standby", "trigger-hvac-offline"]
    found = user.get("/systems/with_emails", params={"in": "L3-Boardroom@harbourpoint.example,nobody@example.com"})
    assert [system["id"] for system in found.json()] == ["sys-l3-boardroom"]
    assert user.get("/systems/with_emails").status_code == 400


def test_rename_is_one_commit_the_old_name_gone_refused_when_the_new_exists(auth):
    support = Client(auth, "support")
    for name in ("rename-me", "taken"):
        assert support.patch("/metadata/sys-l1-huddle", json={"name": name, "details": {"n": name}}).status_code == 201
    before = commits(auth)
    renamed = support.patch("/metadata/sys-l1-huddle/name", json={"current_name": "rename-me", "new_name": "renamed"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "renamed" and renamed.json()["details"] == {"n": "rename-me"}
    assert commits(auth) == before + 1 and last_author(auth) == "Support <sam@harbourpoint.example>"
    names = support.get("/metadata/sys-l1-huddle").json()
    assert "renamed" in names and "rename-me" not in names and names["renamed"]["details"] == {"n": "rename-me"}
    # The new name is taken: 409, nothing written, both still there.
    clash = support.patch("/metadata/sys-l1-huddle/name", json={"current_name": "renamed", "new_name": "taken"})
    assert clash.status_code == 409 and "taken" in clash.json()["error"]
    missing = support.patch("/metadata/sys-l1-huddle/name", json={"current_name": "nope", "new_name": "other"})
    assert missing.status_code == 404
    bad = support.patch("/metadata/sys-l1-huddle/name", json={"current_name": "renamed", "new_name": "../escape"})
    assert bad.status_code == 422 and bad.json()["failures"][0]["field"] == "new_name"
    assert commits(auth) == before + 1
    names = support.get("/metadata/sys-l1-huddle").json()
    assert names["renamed"]["details"] == {"n": "rename-me"} and names["taken"]["details"] == {"n": "taken"}
    # A user may not rename a system's metadata.
    assert Client(auth, "user").patch("/metadata/sys-l1-huddle/name", json={"current_name": "taken", "new_name": "x"}).status_code == 403
    assert commits(auth) == before + 1


def test_users_include_metadata(auth):
    user = Client(auth, "user")
    me = user.get("/users/current").json()["id"]
    assert user.patch("/metadata/" + me, json={"name": "desk", "details": {"floor": 3}}).status_code in (200, 201)
    support = Client(auth, "support")
    plain = support.get("/users").json()
    assert all("metadata" not in entry for entry in plain)
    listed = {entry["id"]: entry for entry in support.get("/users", params={"include_metadata": "true"}).json()}
    assert listed[me]["metadata"]["desk"]["details"] == {"floor": 3}
    assert listed[me]["metadata"]["desk"]["parent_id"] == me
    one = support.get("/users/" + me, params={"include_metadata": "true"}).json()
    assert one["metadata"]["desk"]["details"] == {"floor": 3}
    assert "metadata" not in support.get("/users/" + me).json()
