# Sourced by scripts/course and scripts/test: creates .venv and installs the course
# into it, once, and again only when pyproject.toml changes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  for candidate in "${PYTHON:-}" python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  echo "This course needs Python 3.10 or newer; none was found on PATH (set PYTHON=...)." >&2
  exit 1
}

setup_python() {
  local extras="${1:-}" stamp want target="$ROOT"
  [ -n "$extras" ] && target="$ROOT[$extras]"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV"
    "$(find_python)" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-${extras:-base}"
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/setup.sh" | cksum)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing the course package and its dependencies into $VENV"
    # Mirrors configured on some machines warn once per package; the rest is kept.
    {
      "$VENV/bin/python" -m pip install --quiet --upgrade pip
      "$VENV/bin/python" -m pip install --quiet -e "$target"
    } 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
    echo "$want" >"$stamp"
  fi
  # JupyterLab's news pop-up would cover the first exercise, and there is no news
  # to fetch offline: the course's JupyterLab starts with it off.
  mkdir -p "$VENV/share/jupyter/lab/settings"
  printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}' \
    >"$VENV/share/jupyter/lab/settings/overrides.json"
  # nbgrader's gradebook shells out to alembic, so the venv's bin/ must be on PATH.
  export PATH="$VENV/bin:$PATH"
  export VIRTUAL_ENV="$VENV"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # Installs Debian packages that are missing; apt-get update runs once per call.
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}
