"""The course's settings for The Littlest JupyterHub (TLJH).

Copy this file to ``/opt/tljh/config/jupyterhub_config.d/product-roles.py``; TLJH
loads every file there after its own settings (docs/workshop-hub.md has the steps
that come before: the course in the user environment, the room folder, /etc/skel).
TLJH already gives each participant a Unix account (``jupyter-<name>``) with a
private home, and its default log-in, FirstUseAuthenticator, keeps a claimed name for
whoever claimed it. What this adds:

- every server knows the room folder, and counts one seat per account;
- JupyterLab opens on module 1, as the agenda does;
- the nbgrader course list sees the course, through groups;
- a server's own token may read its owner's name and groups, and nothing more.
"""

import os

ROOM = os.environ.get("PRODUCT_ROLES_TLJH_ROOM", "/srv/workshop/room")
COURSE_ID = "product-roles"

c.Spawner.environment.update(  # noqa: F821 - TLJH provides c
    {"PRODUCT_ROLES_ROOM": ROOM, "PRODUCT_ROLES_ONE_SEAT_PER_ACCOUNT": "1"}
)
c.Spawner.default_url = "/lab/tree/01-start-here.ipynb"  # noqa: F821


def course_groups(authenticator, _handler, authentication):
    """Everyone joins the course as a student; the hub's admins also grade it."""
    groups = [f"nbgrader-{COURSE_ID}"]
    if authentication["name"] in authenticator.admin_users:
        groups.append(f"formgrade-{COURSE_ID}")
    return {**authentication, "groups": groups}


c.Authenticator.manage_groups = True  # noqa: F821
c.Authenticator.post_auth_hook = course_groups  # noqa: F821
c.JupyterHub.load_roles.append(  # noqa: F821
    {
        "name": "server",
        "scopes": [
            "users:activity!user",
            "access:servers!server",
            "read:users:name!user",
            "read:users:groups!user",
        ],
    }
)
