"""Start each participant's server as their own Unix account, created on first start.

The same shape as The Littlest JupyterHub's user-creating spawner, on top of
JupyterHub's ``LocalProcessSpawner`` instead of systemd: before a server starts, the
account ``<prefix><name>`` exists (see :mod:`product_roles.workshop.hub_accounts`), its home is
private, the course notebooks are in it, and facilitators are in the room group.
The server then runs with that account's user and groups, and a umask of 022, so the
answers it saves in its seat can be read by the room group.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import List, Set, Unicode

from product_roles.workshop import hub_accounts


class RoomSpawner(LocalProcessSpawner):
    """A ``LocalProcessSpawner`` whose servers run as one new account per participant."""

    account_prefix = Unicode("jupyter-", config=True, help="Unix account = prefix + name.")
    homes = Unicode("/home", config=True, help="Folder that holds the accounts' homes.")
    room_group = Unicode(config=True, help="Group that may read the room (facilitators).")
    facilitators = Set(Unicode(), config=True, help="Names that join the room group.")
    course_files = List(Unicode(), config=True, help="Files put in every new home.")
    facilitator_files = List(Unicode(), config=True, help="Files put in facilitators' homes.")

    @property
    def account(self) -> str:
        """The Unix account this user's server runs as."""
        return self.account_prefix + self.user.name

    def prepare_account(self) -> pwd.struct_passwd:
        """Create or check the account, its private home and the course files in it."""
        facilitator = self.user.name in self.facilitators
        groups = [self.room_group] if facilitator and self.room_group else []
        account = hub_accounts.ensure_account(
            self.account, Path(self.homes, self.account), groups=groups
        )
        files = [*self.course_files, *(self.facilitator_files if facilitator else [])]
        hub_accounts.copy_missing(files, account)
        return account

    async def start(self):
        self.prepare_account()
        return await super().start()

    def make_preexec_fn(self, name):  # noqa: ARG002 - Spawner's signature; runs as the account
        become = set_user_setuid(self.account)

        def preexec():
            become()
            # Files the server writes are readable by those who may enter the folder
            # (a seat in the room: the room group); the home itself stays 0700.
            os.umask(0o022)

        return preexec

    def user_env(self, env):
        account = pwd.getpwnam(self.account)
        env["USER"] = account.pw_name
        env["HOME"] = account.pw_dir
        env["SHELL"] = account.pw_shell or "/bin/bash"
        return env
