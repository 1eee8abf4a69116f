"""`tenderscore serve` and `tenderscore web`: the demo only on loopback, the secret key owner-only, the database
migrated on start, accounts from the command line with Django's password checks; failed sign-ins slowed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, invoke
from web_support import PASSWORD, client_for, make_user


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # A process of its own: Django is configured once per process, for one data directory.
    command = [str(Path(sys.executable).with_name("tenderscore")), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_demo_is_refused_off_the_loopback() -> None:
    result = invoke("serve", "--demo", "--host", "0.0.0.0", "--check")
    assert result.exit_code == 3
    assert "--demo prints its accounts' passwords, so it serves only on loopback, not on 0.0.0.0" in result.stderr


def test_demo_start_migrates_keeps_the_key_private_and_prints_the_accounts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run("serve", "--demo", "--check", "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("DEMO: sample data and demo accounts")
    for account in ("demo-officer", "demo-ahmed", "demo-beth", "demo-chen", "demo-dana", "demo-moderator"):
        assert f"  {account} " in done.stdout
    key = data / "secret-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) >= 50
    assert (data / "web.sqlite3").is_file()


def test_adduser_checks_the_password_and_lists_the_user(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    weak = run("web", "adduser", "alice", "--role", "officer", "--password-stdin", "--data", data, stdin="12345\n")
    assert weak.returncode == 2
    assert "Error: password: This password is too short. It must contain at least 12 characters." in weak.stderr
    assert "Error: password: This password is entirely numeric." in weak.stderr
    good = run("web", "adduser", "alice", "--role", "officer", "--password-stdin", "--data", data, stdin=PASSWORD)
    assert good.returncode == 0, good.stderr
    listed = run("web", "users", "--data", data)
    assert listed.returncode == 0
    assert "alice" in listed.stdout and "officer" in listed.stdout
    taken = run("web", "adduser", "alice", "--role", "auditor", "--password-stdin", "--data", data, stdin=PASSWORD)
    assert taken.returncode == 2 and "alice: a user with this name exists already" in taken.stderr
    assert run("web", "deactivate", "alice", "--data", data).returncode == 0
    assert "alice" in (listed := run("web", "users", "--data", data).stdout) and listed.split()[-1] == "no"


def sign_in(client: Any, username: str, password: str) -> Any:
    return client.post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


def test_repeated_failed_sign_ins_are_refused_for_a_while(web: Path) -> None:
    user = make_user("auditor")
    client = client_for(None)
    for _ in range(4):
        assert sign_in(client, user.username, "wrong password").status_code == 200
    assert sign_in(client, user.username, PASSWORD).status_code == 302  # the 5th try, right: in
    client = client_for(None)
    statuses = [sign_in(client, user.username, "wrong password").status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4
    locked = sign_in(client, user.username, PASSWORD)  # right, but after 5 failures: refused
    assert locked.status_code in (403, 429)
    assert "Too many failed sign-in attempts" in locked.content.decode()


def test_cookies_are_secure_unless_turned_off_for_a_loopback_server(tmp_path: Path) -> None:
    read = "import tenderscore.scoring.web.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    read += "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENDERSCORE_")}
    env["TENDERSCORE_DATA_DIR"] = str(tmp_path)
    default = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True, check=True)
    assert default.stdout.split() == ["True", "True", "True", "Lax"]
    env["TENDERSCORE_SECURE_COOKIES"] = "0"
    loopback = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True, check=True)
    assert loopback.stdout.split() == ["False", "False", "True", "Lax"]


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (b"{not json", "manifest.json: expected the JSON manifest `tenderscore web backup` writes, found invalid JSON"),
        (b"\xff\xfe", "manifest.json: expected the JSON manifest `tenderscore web backup` writes, found invalid JSON"),
        (b"[1, 2]", "manifest.json: expected the JSON object `tenderscore web backup` writes, found [1, 2]"),
        (b'{"engine": "sqlite"}', "manifest.json: files: expected an object of file names and their sha256"),
        (b'{"engine": "sqlite", "files": {"web.sqlite3": 1}}', "files: expected an object of file names and their"),
        (b'{"engine": "sqlite", "files": {"../web.sqlite3": "ab"}}', "files: expected an object of file names"),
        (b'{"files": {}}', "manifest.json: engine: expected sqlite or postgresql, found null"),
        (b'{"engine": "sqlite", "files": {}}', "manifest.json: files: expected web.sqlite3 listed"),
        (b'{"engine": "sqlite", "files": {}, "ledger_records": "two"}', "ledger_records: expected a whole number"),
    ],
)
def test_restore_from_a_malformed_or_foreign_manifest_says_what_was_expected(
    web: Path, tmp_path: Path, manifest: bytes, expected: str
) -> None:
    from tenderscore.scoring.errors import InputError
    from tenderscore.scoring.web.backup import restore

    (tmp_path / "manifest.json").write_bytes(manifest)
    with pytest.raises(InputError) as raised:
        restore(tmp_path, force=False)
    assert str(tmp_path / "manifest.json") in str(raised.value) and expected in str(raised.value)


def test_restore_from_a_folder_with_a_foreign_manifest_exits_2_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "manifest.json").write_text('{"name": "some other tool"}\n', encoding="utf-8")
    result = run("web", "restore", str(tmp_path / "backup"), "--data", str(tmp_path / "data"))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Error: {tmp_path / 'backup' / 'manifest.json'}: files: expected an object" in result.stderr
