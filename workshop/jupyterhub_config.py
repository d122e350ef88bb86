"""JupyterHub for a workshop room of strangers: one Unix account per participant.

Start it as root, from the repository, with ``workshop/hub`` (which installs what it
needs first)::

    sudo WORKSHOP_PASSWORD='a phrase on the screen' WORKSHOP_FACILITATORS=ana \\
         WORKSHOP_ADMIN_PASSWORD='a phrase only facilitators know' workshop/hub

What it guarantees, and what it does not, is in docs/workshop-hub.md. In short:

- a participant claims a name with the room password and a password of their own;
  from then on the name is theirs (``product_roles.workshop.hub_login``);
- each name runs as its own Unix account, ``jupyter-<name>``, created when its server
  first starts, with a home only its owner can enter (``product_roles.workshop.hub_spawner``);
- the room folder takes new seats from everyone but lets only the room group (the
  facilitators and the dashboard's account) read them;
- the class dashboard is a hub service at ``/services/dashboard/``, open to
  facilitators only, running as an account that can read the room and nothing else;
- passwords are read from the environment and removed from it before anything starts,
  the hub's database and secrets are in a folder only root can enter, and every
  internal port listens on 127.0.0.1.

Settings (environment variables):

==========================  ==========================================================
WORKSHOP_PASSWORD           the room password (required, 8 characters or more): what a
                            newcomer types to claim a name
WORKSHOP_FACILITATORS       comma-separated names: hub admins, nbgrader graders, readers
                            of the room; reserved, nobody can claim them
WORKSHOP_ADMIN_PASSWORD     the facilitators' password (16 characters or more; required
                            when WORKSHOP_FACILITATORS names anyone)
WORKSHOP_STATE              the hub's folder: database, secrets, room, exchange
                            (default /srv/workshop)
WORKSHOP_HOMES              where the accounts' homes go (default STATE/homes)
WORKSHOP_ACCOUNT_PREFIX     Unix account = prefix + name (default ``jupyter-``)
WORKSHOP_ROOM_GROUP         the group that reads the room (default ``workshop-room``)
WORKSHOP_DASHBOARD_ACCOUNT  the dashboard service's account (default ``workshop-dashboard``)
WORKSHOP_IP, WORKSHOP_PORT  the public address (default 127.0.0.1:8000)
WORKSHOP_HUB_PORT           the hub's internal port (default 8081)
WORKSHOP_PROXY_API_PORT     configurable-http-proxy's API port (default 8001)
WORKSHOP_DASHBOARD_PORT     the dashboard service's internal port (default 8002)
==========================  ==========================================================
"""

import json
import os
import pwd
import stat
import sys
from pathlib import Path

import product_roles
from product_roles.workshop import hub_accounts
from product_roles.workshop.hub_login import RoomAuthenticator, hash_password
from product_roles.workshop.hub_spawner import RoomSpawner

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

REPO = Path(__file__).resolve().parents[1]
WORKSHOP = REPO / "workshop"
BIN = Path(sys.executable).parent
COURSE_ID = "product-roles"


def setting(name: str, default: str = "") -> str:
    return os.environ.get(f"WORKSHOP_{name}", default)


def secret(name: str) -> str:
    """Read a password and take it out of the environment, so no child process inherits it."""
    return os.environ.pop(f"WORKSHOP_{name}", "")


room_password = secret("PASSWORD")
facilitator_password = secret("ADMIN_PASSWORD")
FACILITATORS = {n.strip() for n in setting("FACILITATORS").split(",") if n.strip()}
if len(room_password) < 8:
    sys.exit("Set WORKSHOP_PASSWORD to the room's password, 8 characters or more.")
if FACILITATORS and len(facilitator_password) < 16:
    sys.exit("Set WORKSHOP_ADMIN_PASSWORD, 16 characters or more: facilitators log in with it.")
if os.geteuid() != 0:
    sys.exit("Start the workshop hub as root: it creates one Unix account per participant.")

STATE = Path(setting("STATE", "/srv/workshop")).resolve()
HOMES = Path(setting("HOMES", str(STATE / "homes"))).resolve()
PREFIX = setting("ACCOUNT_PREFIX", "jupyter-")
ROOM_GROUP = setting("ROOM_GROUP", "workshop-room")
DASHBOARD_ACCOUNT = setting("DASHBOARD_ACCOUNT", "workshop-dashboard")
HUB_STATE = STATE / "hub"
ROOM = STATE / "room"
EXCHANGE = STATE / "exchange"
USER_CONFIG = STATE / "user-config"
DASHBOARD_HOME = STATE / "dashboard"

# -- every account must be able to run this Python and import the course ---------------
blocked = hub_accounts.blocked_ancestors(
    [sys.executable, sys.prefix, sys.base_prefix, Path(product_roles.__file__).parent, WORKSHOP]
)
if blocked:
    sys.exit(
        "Participants' accounts could not start a server: no account but root may enter "
        + ", ".join(map(str, blocked))
        + ". Install the course where every account can read it (for example /opt), "
        "with a Python outside /root."
    )

# -- state on disk ----------------------------------------------------------------------
hub_accounts.private_folder(STATE, 0o711)
hub_accounts.private_folder(HUB_STATE, 0o700)  # database, cookie secret, password hashes
hub_accounts.private_folder(HOMES, 0o711)  # homes can be entered by name, not listed
hub_accounts.ensure_group(ROOM_GROUP)
hub_accounts.make_room(ROOM, ROOM_GROUP)
# nbgrader's exchange is world-writable by design; nbgrader sets its own modes inside.
EXCHANGE.mkdir(exist_ok=True)
EXCHANGE.chmod(stat.S_ISVTX | 0o777)
USER_CONFIG.mkdir(exist_ok=True)
USER_CONFIG.chmod(0o755)
# Answer keys and grades in the repository stay with root: a participant's kernel
# runs as an ordinary account that could otherwise read them.
for private in ("solutions", "submitted", "autograded", "feedback", "gradebook.db"):
    path = REPO / private
    if path.exists():
        path.chmod(stat.S_IMODE(path.stat().st_mode) & 0o700)

c.JupyterHub.db_url = f"sqlite:///{HUB_STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB_STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(HUB_STATE / "jupyterhub-proxy.pid")

# -- network: everything internal stays on loopback --------------------------------------
c.JupyterHub.ip = setting("IP", "127.0.0.1")
c.JupyterHub.port = int(setting("PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(setting("HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('PROXY_API_PORT', '8001')}"
c.Spawner.ip = "127.0.0.1"
# configurable-http-proxy comes from npm: `npm ci` at the repository root puts it here.
local_proxy = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
if local_proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(local_proxy)]

# -- who may log in ------------------------------------------------------------------------
c.JupyterHub.authenticator_class = RoomAuthenticator
c.RoomAuthenticator.room_password = room_password
c.RoomAuthenticator.facilitators = FACILITATORS
if facilitator_password:
    c.RoomAuthenticator.facilitator_password_hash = hash_password(facilitator_password)
c.RoomAuthenticator.account_prefix = PREFIX
c.RoomAuthenticator.room = str(ROOM)
c.RoomAuthenticator.dbm_path = str(HUB_STATE / "passwords.dbm")
c.RoomAuthenticator.min_password_length = 8
c.Authenticator.admin_users = FACILITATORS
c.Authenticator.allow_all = True  # any free name, for whoever knows the room password
# Unix account names are at most 32 characters, the prefix included.
c.Authenticator.username_pattern = rf"^[a-z][a-z0-9_-]{{0,{31 - len(PREFIX)}}}$"
# The log-in form's second field asks for the room password, needed to claim a name.
c.Authenticator.request_otp = True
c.Authenticator.otp_prompt = "Room password (only the first time you use a name):"
c.JupyterHub.template_vars = {
    "announcement_login": (
        "First time here? Choose a name and a password of your own (8 characters or"
        " more), and type the room password from the screen. The name is then yours:"
        " next time, your name and your password are enough."
    )
}

# -- the user servers: one account each ---------------------------------------------------
COURSE_FILES = [
    *sorted(str(p) for p in (REPO / "course").glob("[0-9][0-9]-*.ipynb")),
    str(WORKSHOP / "room-sort.ipynb"),
]
c.JupyterHub.spawner_class = RoomSpawner
c.RoomSpawner.account_prefix = PREFIX
c.RoomSpawner.homes = str(HOMES)
c.RoomSpawner.room_group = ROOM_GROUP
c.RoomSpawner.facilitators = FACILITATORS
c.RoomSpawner.course_files = COURSE_FILES
c.RoomSpawner.facilitator_files = [str(WORKSHOP / "dashboard.ipynb")]
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/01-start-here.ipynb"  # the agenda starts with module 1
c.Spawner.environment = {
    "PRODUCT_ROLES_ROOM": str(ROOM),
    "PRODUCT_ROLES_ONE_SEAT_PER_ACCOUNT": "1",
    # nbgrader in user servers reads USER_CONFIG/nbgrader_config.py (written below).
    "JUPYTER_CONFIG_PATH": str(USER_CONFIG),
    # Voila's offline template (for a facilitator's own /voila/render/dashboard.ipynb).
    "JUPYTER_PATH": str(WORKSHOP / "share"),
}
# A 2-core machine starting many servers at once needs more than the default 60 s.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300

# -- nbgrader: the course list shows the course to its groups ------------------------------
(USER_CONFIG / "nbgrader_config.py").write_text(
    "from nbgrader.auth import JupyterHubAuthPlugin\n"
    "c = get_config()\n"
    f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
    f"c.Exchange.root = {str(EXCHANGE)!r}\n"
    "c.Exchange.path_includes_course = True\n"
    "c.Authenticator.plugin_class = JupyterHubAuthPlugin\n",
    encoding="utf-8",
)


def course_groups(_authenticator, _handler, authentication):
    """Everyone joins the course as a student; facilitators also grade it."""
    groups = [f"nbgrader-{COURSE_ID}"]
    if authentication["name"] in FACILITATORS:
        groups.append(f"formgrade-{COURSE_ID}")
    return {**authentication, "groups": groups}


c.Authenticator.manage_groups = True
c.Authenticator.post_auth_hook = course_groups
c.JupyterHub.load_roles = [
    # A server's own token may post activity, be reached, and read its owner's name and
    # groups (the nbgrader course list asks for them): nothing of the owner's other
    # rights, so a facilitator's server token is no admin token.
    {
        "name": "server",
        "scopes": [
            "users:activity!user",
            "access:servers!server",
            "read:users:name!user",
            "read:users:groups!user",
        ],
    },
]

# -- the class dashboard: a hub service that only facilitators may open ---------------------
hub_accounts.ensure_account(
    DASHBOARD_ACCOUNT,
    DASHBOARD_HOME,
    groups=[ROOM_GROUP],
    system=True,
    shell="/usr/sbin/nologin",
)
dashboard_account = pwd.getpwnam(DASHBOARD_ACCOUNT)
(DASHBOARD_HOME / "dashboard.ipynb").unlink(missing_ok=True)
hub_accounts.copy_missing([WORKSHOP / "dashboard.ipynb"], dashboard_account)
dashboard_config = DASHBOARD_HOME / "config"
hub_accounts.private_folder(dashboard_config, 0o755)
(dashboard_config / "jupyter_server_config.json").write_text(
    json.dumps(
        {
            "ServerApp": {
                "root_dir": str(DASHBOARD_HOME),
                "default_url": "/voila/render/dashboard.ipynb",
                # No MathJax from a CDN (the default): the room may have no internet.
                "tornado_settings": {"mathjax_url": None, "mathjax_config": None},
                # Voila alone: the course's nbgrader extensions have no place here.
                "jpserver_extensions": {
                    "voila": True,
                    "nbgrader.server_extensions.formgrader": False,
                    "nbgrader.server_extensions.assignment_list": False,
                    "nbgrader.server_extensions.course_list": False,
                    "nbgrader.server_extensions.validate_assignment": False,
                    "jupyterlab": False,
                    "notebook": False,
                },
            },
            "VoilaConfiguration": {
                "template": "offline",
                "extension_denylist": ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension"],
            },
            # A closed page frees its kernel at once (the offline template asks for it);
            # one whose browser vanished is freed once it has been idle for 10 minutes.
            "MappingKernelManager": {
                "cull_idle_timeout": 600,
                "cull_interval": 60,
                "cull_connected": False,
            },
        },
        indent=2,
    ),
    encoding="utf-8",
)
c.JupyterHub.services = [
    {
        "name": "dashboard",
        "display": True,
        "url": f"http://127.0.0.1:{setting('DASHBOARD_PORT', '8002')}",
        "command": [str(BIN / "jupyterhub-singleuser")],
        "user": DASHBOARD_ACCOUNT,
        "cwd": str(DASHBOARD_HOME),
        "oauth_no_confirm": True,
        "environment": {
            "HOME": str(DASHBOARD_HOME),
            "JUPYTER_CONFIG_DIR": str(dashboard_config),
            "JUPYTER_PATH": str(WORKSHOP / "share"),
            "PRODUCT_ROLES_ROOM": str(ROOM),
            "PRODUCT_ROLES_ONE_SEAT_PER_ACCOUNT": "1",
        },
    }
]
# Facilitators are admins, who may open every service; say so for this one explicitly.
c.JupyterHub.load_roles.append(
    {
        "name": "room-screen",
        "description": "Open the class dashboard",
        "scopes": ["access:services!service=dashboard"],
        "users": sorted(FACILITATORS),
    }
)
