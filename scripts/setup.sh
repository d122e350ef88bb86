# Sourced by scripts/course, scripts/instructor, scripts/slides and scripts/test: creates
# .venv and installs the course into it, once, and again only when pyproject.toml (or
# this file) changes. setup_python takes the extra to install ("" for a learner's base
# install, or instructor, workshop, test).
#
# The installer is uv (from PyPI, fetched once into .uv-bootstrap/ when it is not on
# PATH); PRODUCT_ROLES_INSTALLER=pip uses plain pip instead. Each step says what it
# does and how far along the set-up is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
UV_BOOTSTRAP="$ROOT/.uv-bootstrap"
# Packages the course never uses that a dependency pulls in; see the file.
UV_OVERRIDES="$ROOT/scripts/uv-overrides.txt"

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

SETUP_STARTED=$SECONDS
step() {
  # "[set-up 2/3, 4 s] what happens now": the step, its number, the time so far.
  echo "[set-up $1/$2, $((SECONDS - SETUP_STARTED)) s] $3" >&2
}

find_uv() {
  # Prints the uv to use, fetching it with the Python's own pip when it is not on PATH;
  # prints nothing when plain pip is asked for or uv cannot be had.
  [ "${PRODUCT_ROLES_INSTALLER:-uv}" = pip ] && return 0
  if command -v uv >/dev/null 2>&1; then
    command -v uv
  elif [ -x "$UV_BOOTSTRAP/bin/uv" ]; then
    echo "$UV_BOOTSTRAP/bin/uv"
  elif "$1" -m pip --version >/dev/null 2>&1; then
    step 1 3 "Fetching the installer uv from PyPI into $UV_BOOTSTRAP" >&2
    if "$1" -m pip install --quiet --disable-pip-version-check --target "$UV_BOOTSTRAP" "uv>=0.5" \
      2> >(grep -v -e "is ignored: it is neither a file nor a directory" -e "as the 'root' user" >&2); then
      echo "$UV_BOOTSTRAP/bin/uv"
    fi
  fi
}

install_with_uv() {
  local uv="$1" python="$2" target="$3"
  # Trust the machine's certificates as pip does: behind a proxy with its own
  # certificate authority, uv's built-in roots refuse every index.
  export UV_NATIVE_TLS="${UV_NATIVE_TLS:-true}"
  if [ ! -x "$VENV/bin/python" ]; then
    step 2 3 "Creating the environment $VENV"
    "$uv" venv --quiet --python "$python" "$VENV"
  fi
  step 3 3 "Installing the course ($target) and its dependencies with uv; it lists what it installs"
  # --compile-bytecode: uv leaves compiling to the first import, and where
  # PYTHONDONTWRITEBYTECODE is set (as on some CI machines) nothing is ever kept, so
  # every process (each kernel, nbgrader command and Jupyter server) would compile its
  # imports again: about 0.7 s of CPU each for nbgrader's. pip compiles as it installs.
  "$uv" pip install --python "$VENV/bin/python" --override "$UV_OVERRIDES" \
    --compile-bytecode -e "$target"
}

install_with_pip() {
  local python="$1" target="$2"
  if [ ! -x "$VENV/bin/python" ]; then
    step 1 3 "Creating the environment $VENV"
    "$python" -m venv "$VENV"
  fi
  step 2 3 "Updating pip"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  step 3 3 "Installing the course ($target) and its dependencies with pip (a minute or more)"
  # Mirrors configured on some machines warn once per package; the rest is kept.
  "$VENV/bin/python" -m pip install --progress-bar off -e "$target" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) |
    grep -E "^(Collecting|Successfully installed)" | sed -e 's/^Collecting /  getting /' || true
  "$VENV/bin/python" -m pip show --quiet product-roles-course >/dev/null
}

setup_python() {
  local extras="${1:-}" stamp want target="$ROOT" python uv
  [ -n "$extras" ] && target="$ROOT[$extras]"
  stamp="$VENV/.installed-${extras:-base}"
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/setup.sh" "$UV_OVERRIDES" | cksum)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    python="$(find_python)"
    uv="$(find_uv "$python")"
    if [ -n "$uv" ]; then
      install_with_uv "$uv" "$python" "$target"
    else
      install_with_pip "$python" "$target"
    fi
    echo "$want" >"$stamp"
    echo "[set-up done in $((SECONDS - SETUP_STARTED)) s]" >&2
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
