"""JupyterHub for a workshop room: one shared password, the course ready in every account.

Start it from the repository, with the course installed in the same environment::

    WORKSHOP_PASSWORD='a phrase on the whiteboard' WORKSHOP_FACILITATORS=ana \\
    WORKSHOP_ADMIN_PASSWORD='a phrase only facilitators know' \\
        jupyterhub -f workshop/jupyterhub_config.py

Everything else has a default and can be changed with an environment variable:

=========================  ===========================================================
WORKSHOP_PASSWORD          the room's password (required, at least 8 characters)
WORKSHOP_ADMIN_PASSWORD    facilitators' password, 32 characters or more (optional;
                           without it facilitators log in as ordinary users)
WORKSHOP_FACILITATORS      comma-separated user names: hub admins and nbgrader graders
WORKSHOP_STATE             folder for the hub's database, secrets, the room and the
                           nbgrader exchange (default /srv/workshop)
WORKSHOP_HOMES             where accounts' home folders go (default STATE/homes)
WORKSHOP_IP, WORKSHOP_PORT the public address (default 127.0.0.1:8000)
WORKSHOP_HUB_PORT          the hub's internal port (default 8081)
WORKSHOP_PROXY_API_PORT    configurable-http-proxy's API port (default 8001)
=========================  ===========================================================

Participants pick any user name (letters, digits, ``-`` and ``_``). All user servers
run as the account that runs the hub (``SimpleLocalProcessSpawner``): fine for a room
of people who trust each other for a morning, not for a graded class. For that, and
for rooms of hundreds, use The Littlest JupyterHub or Zero to JupyterHub on
Kubernetes (docs/workshop-hub.md has the values for both).
"""

import os
import shutil
import stat
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COURSE_ID = "product-roles"

STATE = Path(os.environ.get("WORKSHOP_STATE", "/srv/workshop")).resolve()
HOMES = Path(os.environ.get("WORKSHOP_HOMES", STATE / "homes"))
ROOM = STATE / "room"
EXCHANGE = STATE / "exchange"
USER_CONFIG = STATE / "user-config"
FACILITATORS = {
    n.strip() for n in os.environ.get("WORKSHOP_FACILITATORS", "").split(",") if n.strip()
}

password = os.environ.get("WORKSHOP_PASSWORD", "")
if len(password) < 8:
    sys.exit("Set WORKSHOP_PASSWORD to the room's password, 8 characters or more.")

# -- state on disk ------------------------------------------------------------------
for folder in (STATE, HOMES, USER_CONFIG, EXCHANGE):
    folder.mkdir(parents=True, exist_ok=True)
# The room and the exchange are written by every participant: world-writable with the
# sticky bit, like /tmp, so nobody can delete another's files.
for shared in (ROOM, EXCHANGE):
    shared.mkdir(parents=True, exist_ok=True)
    shared.chmod(stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO | stat.S_ISVTX)

c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# -- network: everything internal stays on loopback ----------------------------------
c.JupyterHub.ip = os.environ.get("WORKSHOP_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("WORKSHOP_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("WORKSHOP_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{os.environ.get('WORKSHOP_PROXY_API_PORT', '8001')}"
)
# configurable-http-proxy comes from npm: `npm ci` at the repository root puts it here.
local_proxy = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
if local_proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(local_proxy)]

# -- who may log in -------------------------------------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
if os.environ.get("WORKSHOP_ADMIN_PASSWORD"):
    c.SharedPasswordAuthenticator.admin_password = os.environ["WORKSHOP_ADMIN_PASSWORD"]
c.Authenticator.admin_users = FACILITATORS
c.Authenticator.allow_all = True  # user names are free: whoever knows the password
c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9_-]{0,31}$"

# -- the user servers ------------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/room-sort.ipynb"
c.Spawner.environment = {
    "PRODUCT_ROLES_ROOM": str(ROOM),
    # nbgrader in user servers reads USER_CONFIG/nbgrader_config.py (written below).
    "JUPYTER_CONFIG_PATH": str(USER_CONFIG),
}
# A 2-core machine starting many servers at once needs more than the default 60 s.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]


def copy_course(spawner):
    """Put the course notebooks and the room sort in the account's home, keeping edits."""
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    notebooks = sorted((REPO / "course").glob("[0-9][0-9]-*.ipynb"))
    for source in [*notebooks, REPO / "workshop" / "room-sort.ipynb"]:
        target = home / source.name
        if not target.exists():
            shutil.copyfile(source, target)


c.Spawner.pre_spawn_hook = copy_course

# -- nbgrader: the course list shows the course to its groups --------------------------
(USER_CONFIG / "nbgrader_config.py").write_text(
    "from nbgrader.auth import JupyterHubAuthPlugin\n"
    "c = get_config()\n"
    f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
    f"c.Exchange.root = {str(EXCHANGE)!r}\n"
    "c.Exchange.path_includes_course = True\n"
    "c.Authenticator.plugin_class = JupyterHubAuthPlugin\n",
    encoding="utf-8",
)


def course_groups(authenticator, handler, authentication):
    """Everyone joins the course as a student; facilitators also grade it."""
    groups = [f"nbgrader-{COURSE_ID}"]
    if authentication["name"] in FACILITATORS:
        groups.append(f"formgrade-{COURSE_ID}")
    return {**authentication, "groups": groups}


c.Authenticator.manage_groups = True
c.Authenticator.post_auth_hook = course_groups
c.JupyterHub.load_roles = [
    # The course list asks the hub which course groups the user is in, with the
    # user server's own token: let that token read what its owner may read.
    {"name": "server", "scopes": ["inherit"]},
]
