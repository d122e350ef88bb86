"""Deleting a participant's account ends what it still runs, then removes it (as root, as the hub runs)."""

from __future__ import annotations

import pwd
import secrets
import subprocess
from pathlib import Path

import pytest

from product_roles.workshop import hub_accounts


@pytest.fixture
def account(tmp_path):
    name = f"t{secrets.token_hex(3)}acct"
    made = hub_accounts.ensure_account(name, tmp_path / name)
    yield made
    hub_accounts.remove_account(name)


def test_an_account_that_still_runs_a_process_is_removed_with_it(account):
    """A kernel left behind by a stopped server must not make the deletion fail."""
    lingering = subprocess.Popen(
        ["sleep", "300"], user=account.pw_uid, group=account.pw_gid, start_new_session=True
    )
    try:
        hub_accounts.remove_account(account.pw_name)
        assert lingering.wait(timeout=10) == -9
    finally:
        lingering.kill()
        lingering.wait()
    with pytest.raises(KeyError):
        pwd.getpwnam(account.pw_name)
    assert not Path(account.pw_dir).exists()


def test_ending_processes_leaves_other_users_alone(account):
    mine = subprocess.Popen(["sleep", "300"])
    try:
        hub_accounts.end_processes(account.pw_uid)
        assert mine.poll() is None
    finally:
        mine.kill()
        mine.wait()
