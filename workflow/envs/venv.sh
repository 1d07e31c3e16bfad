#!/bin/sh
# The virtual environment of the Makefile, and the Python it is made with.
#   sh workflow/envs/venv.sh VENV [PYTHON]
# If VENV exists, say which Python it has, and refuse it if that version is not supported or if PYTHON
# names another version (an environment is never silently reused for another Python). Otherwise make
# it with PYTHON, or, if none is named, with the newest supported Python on the PATH (python3.13,
# python3.12, ..., then python3). A Python that is missing, does not run or is not a supported version
# is refused at once, with the versions that work and how to name one. The supported versions are
# those of requires-python in pyproject.toml. GOAL (the make targets asked for) words the messages.
set -eu

venv=$1
named=${2-}
goal=${GOAL:+$GOAL }

# requires-python = ">=3.11,<3.14": supported "3.13 3.12 3.11" (newest first), words "3.11, 3.12 or 3.13".
spec=$(sed -n 's/^requires-python *= *"\(.*\)"$/\1/p' "$(dirname "$0")/../../pyproject.toml")
lowest=$(echo "$spec" | sed -n 's/.*>= *3\.\([0-9][0-9]*\).*/\1/p')
beyond=$(echo "$spec" | sed -n 's/.*< *3\.\([0-9][0-9]*\).*/\1/p')
if [ -z "$lowest" ] || [ -z "$beyond" ]; then
    echo "workflow/envs/venv.sh: cannot read the supported versions from requires-python (\"$spec\")" >&2
    exit 2
fi
supported="" words="" minor=$lowest
while [ "$minor" -lt "$beyond" ]; do
    supported="3.$minor${supported:+ $supported}"
    if [ -z "$words" ]; then
        words="3.$minor"
    elif [ "$minor" -eq $((beyond - 1)) ]; then
        words="$words or 3.$minor"
    else
        words="$words, 3.$minor"
    fi
    minor=$((minor + 1))
done

refuse() {
    printf '%s\n' "$@" >&2
    exit 1
}

# probe PY: sets version (e.g. 3.12.1) and where (its executable); fails, setting why, if PY is not
# found, does not run, or is not a Python.
probe() {
    version="" where="" why=""
    if ! command -v "$1" >/dev/null 2>&1; then
        why="not found"
        return 1
    fi
    if ! out=$("$1" -c 'import sys; print("%d.%d.%d %s" % (sys.version_info[:3] + (sys.executable,)))' 2>/dev/null); then
        err=$("$1" -c pass 2>&1 | head -n 1)
        why="$(command -v "$1") does not run${err:+: $err}"
        return 1
    fi
    case $out in
        [0-9]*.[0-9]*.[0-9]*" "*) version=${out%% *} where=${out#* } ;;
        *) why="$(command -v "$1") is not a Python"; return 1 ;;
    esac
    [ -n "$where" ] || where=$(command -v "$1")
}

is_supported() {
    case " $supported " in *" ${1%.*} "*) return 0 ;; esac
    return 1
}

# The newest supported Python on the PATH: sets found (its command), version and where; tried lists
# what was looked at and why it was passed over.
find_supported() {
    found="" tried=""
    for candidate in $(for v in $supported; do echo "python$v"; done) python3; do
        if probe "$candidate" && is_supported "$version"; then
            found=$candidate
            return 0
        fi
        tried="$tried${tried:+, }$candidate (${why:-Python $version})"
    done
    return 1
}

# Which versions work, and how to name one: the one found on the PATH if there is one.
how() {
    echo "This project runs on Python $words (requires-python \"$spec\" in pyproject.toml)."
    if find_supported; then
        echo "Name one, by command or path, e.g. the one on the PATH: make ${goal}PYTHON=$found   (Python $version, $where)"
    else
        echo "None is on the PATH (tried $tried)."
        echo "Install one, or name one by command or path: make ${goal}PYTHON=/path/to/python${supported%% *}"
    fi
}

# A named Python must run and be supported, whether or not the environment exists.
if [ -n "$named" ]; then
    probe "$named" || refuse "PYTHON=$named: $why." "$(how)"
    is_supported "$version" || refuse "PYTHON=$named is Python $version ($where), which is not supported." "$(how)"
    named_version=$version
fi

if [ -e "$venv/bin/python" ] || [ -L "$venv/bin/python" ]; then
    made_with=$(sed -n 's/^executable *= *//p' "$venv/pyvenv.cfg" 2>/dev/null || true)
    probe "$venv/bin/python" ||
        refuse "$venv: its Python${made_with:+ ($made_with)}: $why." "Remove it and run again: rm -rf $venv"
    is_supported "$version" ||
        refuse "$venv was made with Python $version${made_with:+ ($made_with)}, which is not supported." \
            "Remove it (rm -rf $venv) and run again." "$(how)"
    if [ -n "$named" ] && [ "${named_version%.*}" != "${version%.*}" ]; then
        refuse "$venv was made with Python $version${made_with:+ ($made_with)}, not with PYTHON=$named (Python $named_version)." \
            "Remake it with $named: rm -rf $venv && make ${goal}PYTHON=$named" \
            "or keep both: make ${goal}PYTHON=$named VENV=$venv$(echo "${named_version%.*}" | tr -d .)"
    fi
    echo "Python $version in $venv${made_with:+ (made with $made_with)}"
    exit 0
fi

if [ -z "$named" ]; then
    find_supported || refuse "$(how)"
fi
echo "Making $venv with Python $version ($where)"
"$where" -m venv "$venv"
