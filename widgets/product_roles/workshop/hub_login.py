"""Log-in for the workshop hub: a name, once claimed, belongs to whoever claimed it.

Built on ``jupyterhub-firstuseauthenticator`` (the default of The Littlest JupyterHub):
the first time someone logs in under a name, the password they type becomes that
name's password, stored as a bcrypt hash; every later log-in under the name needs it.
A participant who knows the room password cannot take over a name someone else
already holds. Two additions for a room of strangers:

- **the room password gates new names**: a name can only be claimed by someone who
  also types the room password (in the second field of the log-in form), so the hub's
  address alone lets nobody in;
- **facilitators' names are reserved**: they log in with the facilitators' password,
  which is never stored by first use, so no participant can claim a facilitator's
  name before the facilitator arrives.

Deleting a user in the hub's admin page frees the name: it removes the password, the
Unix account with its home, and the account's sorts in the room.
"""

from __future__ import annotations

import contextlib
import dbm
import hmac
import os
import pwd
import shutil
from pathlib import Path

import bcrypt
from firstuseauthenticator import FirstUseAuthenticator
from traitlets import Bytes, Set, Unicode

from product_roles.workshop import hub_accounts


class RoomAuthenticator(FirstUseAuthenticator):
    """First-use passwords, a room password for new names, and reserved facilitators."""

    room_password = Unicode(
        config=True, help="What a newcomer types, besides their own new password, to claim a name."
    )
    facilitators = Set(Unicode(), config=True, help="Names reserved for the facilitators.")
    facilitator_password_hash = Bytes(
        config=True, help="bcrypt hash of the facilitators' password (see hash_password)."
    )
    account_prefix = Unicode("jupyter-", config=True, help="Unix account = prefix + name.")
    room = Unicode(config=True, help="The room folder; a deleted user's sorts leave it too.")

    async def authenticate(self, handler, data):
        name = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        if name in self.facilitators:
            if self.facilitator_password_hash and bcrypt.checkpw(
                password.encode("utf-8"), self.facilitator_password_hash
            ):
                return name
            return None
        if not self.claimed(name):
            typed = data.get("otp", "").encode("utf-8")
            if not self.room_password or not hmac.compare_digest(
                typed, self.room_password.encode("utf-8")
            ):
                handler.custom_login_error = (
                    "To claim a new name, type the room password too (it is on the screen)."
                )
                return None
        return await super().authenticate(handler, data)

    def claimed(self, name: str) -> bool:
        """True when someone has already set a password for ``name``."""
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            return name.encode("utf-8") in db

    def delete_user(self, user):
        """Free the name: forget its password, and remove its account, home and sorts."""
        super().delete_user(user)
        account = self.account_prefix + user.name
        with contextlib.suppress(KeyError):
            uid = pwd.getpwnam(account).pw_uid
            if self.room and Path(self.room).is_dir():
                for seat in os.scandir(self.room):
                    if seat.stat(follow_symlinks=False).st_uid != uid:
                        continue
                    if seat.is_dir(follow_symlinks=False):
                        shutil.rmtree(seat.path, ignore_errors=True)
                    else:
                        Path(seat.path).unlink(missing_ok=True)
            hub_accounts.remove_account(account)


def hash_password(password: str) -> bytes:
    """The bcrypt hash to keep in memory instead of the facilitators' password itself."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt())
