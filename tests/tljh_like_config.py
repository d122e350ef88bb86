"""A hub set up the way The Littlest JupyterHub sets one up, for tests on loopback.

TLJH itself needs systemd and a machine of its own. This file keeps what matters for
the workshop's boundaries, as TLJH does it (tljh/user.py, tljh/jupyterhub_config.py):
FirstUseAuthenticator, an account ``jupyter-<name>`` created with ``useradd
--create-home`` when a server first starts, ``chmod o-rwx`` on its home, the users
and admins groups; servers run as local processes instead of systemd units. Then,
as on TLJH, it runs the set-up commands of docs/workshop-hub.md (the room folder)
and loads the course's file for ``jupyterhub_config.d``: workshop/tljh/product-roles.py.

Names come from the environment so that a test run never touches real TLJH groups:
WORKSHOP_ACCOUNT_PREFIX stands for ``jupyter-``, WORKSHOP_ROOM_GROUP for
``jupyterhub-admins`` and TLJH_USERS_GROUP for ``jupyterhub-users``.
"""

import os
import pwd
import subprocess
import sys
from pathlib import Path

from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

c = get_config()  # noqa: F821

REPO = Path(__file__).resolve().parents[1]
STATE = Path(os.environ["WORKSHOP_STATE"])
PREFIX = os.environ["WORKSHOP_ACCOUNT_PREFIX"]
ADMINS = os.environ["WORKSHOP_ROOM_GROUP"]
USERS = os.environ["TLJH_USERS_GROUP"]
SKEL = Path(os.environ["TLJH_SKEL"])
ROOM = STATE / "room"
MARK = "product-roles workshop account"  # so that the test run removes the accounts


class TljhLikeSpawner(LocalProcessSpawner):
    """TLJH's user-creating spawner, with a local process in place of a systemd unit."""

    @property
    def account(self):
        return PREFIX + self.user.name

    def start(self):
        try:
            pwd.getpwnam(self.account)
        except KeyError:
            home = STATE / "homes" / self.account
            subprocess.check_call(
                [
                    "useradd",
                    "--create-home",
                    "--home-dir",
                    str(home),
                    "--skel",
                    str(SKEL),
                    "--comment",
                    MARK,
                    self.account,
                ]
            )
            subprocess.check_call(["chmod", "o-rwx", str(home)])
        subprocess.check_call(["gpasswd", "--add", self.account, USERS], stdout=subprocess.DEVNULL)
        if self.user.admin:
            subprocess.check_call(
                ["gpasswd", "--add", self.account, ADMINS], stdout=subprocess.DEVNULL
            )
        return super().start()

    def make_preexec_fn(self, name):  # noqa: ARG002 - Spawner's signature; runs as the account
        return set_user_setuid(self.account)

    def user_env(self, env):
        account = pwd.getpwnam(self.account)
        env.update(USER=account.pw_name, HOME=account.pw_dir, SHELL="/bin/bash")
        return env


for group in (USERS, ADMINS):
    subprocess.check_call(["groupadd", "--force", group])
(STATE / "homes").mkdir(exist_ok=True)
(STATE / "hub").mkdir(mode=0o700, exist_ok=True)

# The room folder, with the command docs/workshop-hub.md gives for TLJH.
subprocess.check_call(["install", "-d", "-o", "root", "-g", ADMINS, "-m", "3753", str(ROOM)])

c.JupyterHub.authenticator_class = FirstUseAuthenticator
c.FirstUseAuthenticator.dbm_path = str(STATE / "hub" / "passwords.dbm")
c.Authenticator.admin_users = {"ana"}
c.JupyterHub.spawner_class = TljhLikeSpawner
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = c.Spawner.http_timeout = 300
c.JupyterHub.db_url = f"sqlite:///{STATE / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "hub" / "jupyterhub_cookie_secret")
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["WORKSHOP_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["WORKSHOP_HUB_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['WORKSHOP_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "hub" / "proxy.pid")
c.ConfigurableHTTPProxy.command = [str(REPO / "node_modules" / ".bin" / "configurable-http-proxy")]

os.environ["PRODUCT_ROLES_TLJH_ROOM"] = str(ROOM)
load_subconfig(str(REPO / "workshop" / "tljh" / "product-roles.py"))  # noqa: F821
