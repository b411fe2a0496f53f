#!/bin/sh
# Installs {{NAME}} {{VERSION}}: downloads the archive for this machine, checks its
# SHA-256 before unpacking it, and copies the binaries into a directory of yours (never
# with sudo). Written by crossdock; run it with
#   curl -fsSL {{SELF_URL}} | sh
#   curl -fsSL {{SELF_URL}} | sh -s -- --to DIR
# When the directory is not on PATH, it adds one marked line to your shell's profile file
# (--no-modify-path or {{NO_MODIFY_PATH_VAR}}=1: it only says how).
set -u

APP='{{NAME}}'
VERSION='{{VERSION}}'

# One line per archive: platform, file name, SHA-256, URL, the binaries inside it.
ARCHIVES='{{ARCHIVES}}'

QUIET=0
MODIFY_PATH=1
STAGED=''
TMP=''
# Ends the one line this installer adds to a profile file (found by it to uninstall).
MARK="# added by $APP's installer"
PROFILES=''

say() {
    if [ "$QUIET" = 0 ]; then printf '%s\n' "$*"; fi
}

die() {
    printf '%s-installer: error: %s\n' "$APP" "$*" >&2
    exit 1
}

usage() {
    cat <<EOF
Installs $APP $VERSION.

usage: $APP-installer.sh [--to DIR] [--no-modify-path] [--quiet] [--version] [--help]
  --to DIR    install into DIR (default: \${{INSTALL_DIR_VAR}}, else
              \$CROSSDOCK_INSTALL_DIR, else \$CARGO_HOME/bin when it exists,
              else ~/.local/bin)
  --no-modify-path
              when DIR is not on PATH, only say how to add it (default: add one
              line to ~/.zshrc, ~/.bashrc or ~/.profile, by \$SHELL); also
              {{NO_MODIFY_PATH_VAR}}=1
  --quiet     print errors only
  --version   print the version this script installs, and exit
EOF
}

# Whether this Linux uses musl (Alpine) rather than glibc.
is_musl() {
    case "$(ldd --version 2>&1)" in
        *musl*) return 0 ;;
        *GNU* | *GLIBC* | *glibc*) return 1 ;;
    esac
    for f in /lib/ld-musl-*; do
        if [ -e "$f" ]; then return 0; fi
    done
    return 1
}

# The platforms this machine runs, best first (the keys of ARCHIVES).
detect_platforms() {
    os=$(uname -s)
    cpu=$(uname -m)
    case "$cpu" in
        x86_64 | amd64) cpu=x86_64 ;;
        aarch64 | arm64) cpu=aarch64 ;;
        i386 | i486 | i586 | i686) cpu=x86 ;;
        armv6* | armv7* | armv8l) cpu=arm ;;
        ppc64le | ppc64) cpu=powerpc64 ;;
    esac
    case "$os" in
        Linux)
            # A static musl binary runs on any Linux; a glibc one needs glibc.
            if is_musl; then
                echo "linux-$cpu-musl"
            else
                echo "linux-$cpu-gnu linux-$cpu-musl"
            fi
            ;;
        Darwin)
            # A shell under Rosetta 2 reports x86_64 on an Apple silicon Mac.
            if [ "$cpu" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
                cpu=aarch64
            fi
            if [ "$cpu" = aarch64 ]; then
                echo "macos-aarch64 macos-universal macos-x86_64"
            else
                echo "macos-$cpu macos-universal"
            fi
            ;;
    esac
}

# The ARCHIVES line for this machine; fails when there is none.
pick_archive() {
    for want in $(detect_platforms); do
        row=$(printf '%s\n' "$ARCHIVES" | awk -v want="$want" '$1 == want { print; exit }')
        if [ -n "$row" ]; then
            printf '%s\n' "$row"
            return 0
        fi
    done
    return 1
}

need() {
    command -v "$1" >/dev/null 2>&1
}

download() {
    if need curl; then
        curl --fail --silent --show-error --location --output "$2" "$1"
    else
        wget --quiet --output-document="$2" "$1"
    fi
}

sha256_of() {
    if need sha256sum; then
        sum=$(sha256sum "$1") || return 1
    else
        sum=$(shasum -a 256 "$1") || return 1
    fi
    printf '%s\n' "${sum%% *}"
}

extract() {
    case "$1" in
        *.tar.gz) tar -xzf "$1" -C "$2" ;;
        *.tar.xz) tar -xJf "$1" -C "$2" ;;
        *.tar.zst) zstd -q -dc "$1" | tar -xf - -C "$2" ;;
        *.zip) unzip -q "$1" -d "$2" ;;
        *) return 1 ;;
    esac
}

# The profile files that put DIR on PATH for $SHELL's future shells: zsh's ~/.zshrc; bash's
# ~/.bashrc, and ~/.bash_profile when it exists without reading ~/.bashrc (a login shell,
# as macOS's Terminal starts, reads only that); else ~/.profile.
profile_files() {
    case "${SHELL:-}" in
        */zsh) printf '%s\n' "$HOME/.zshrc" ;;
        */bash)
            printf '%s\n' "$HOME/.bashrc"
            if [ -f "$HOME/.bash_profile" ] && ! grep -q 'bashrc' "$HOME/.bash_profile"; then
                printf '%s\n' "$HOME/.bash_profile"
            fi
            ;;
        *) printf '%s\n' "$HOME/.profile" ;;
    esac
}

# Appends LINE to FILE unless FILE already has it; fails when FILE cannot be written.
add_line() {
    if [ -f "$2" ] && grep -qxF "$1" "$2"; then return 0; fi
    # A file whose last line has no newline gets one first.
    {
        if [ -s "$2" ] && [ -n "$(tail -c 1 "$2")" ]; then
            printf '\n' >>"$2" || return 1
        fi
        printf '%s\n' "$1" >>"$2"
    } 2>/dev/null
}

# Puts DIR on PATH for future shells (the marked line in the profile files), or says how.
put_on_path() {
    abs=$(CDPATH='' cd -- "$1" && pwd) || abs=''
    case "$abs" in
        /*) ;;
        *) abs='' ;;
    esac
    case ":${PATH:-}:" in
        *":$1:"* | *":$abs:"*) return 0 ;;
    esac
    if [ "$MODIFY_PATH" = 0 ]; then
        say "$1 is not on your PATH; add it with: export PATH=\"$1:\$PATH\" (e.g. in ~/.profile)"
        return 0
    fi
    case "$abs" in
        # Characters a double-quoted profile line would read otherwise, and newlines.
        '' | *'"'* | *'$'* | *'`'* | *\\* | *'
'*)
            say "$1 is not on your PATH, and its name cannot be written into a profile safely; add it yourself"
            return 0
            ;;
    esac
    if [ -z "${HOME:-}" ]; then
        say "$1 is not on your PATH; add it with: export PATH=\"$abs:\$PATH\" (HOME is not set, so no profile was changed)"
        return 0
    fi
    line="export PATH=\"$abs:\$PATH\" $MARK"
    # One file name a line, so that a HOME with spaces stays one word.
    old_ifs=$IFS
    IFS='
'
    for profile in $(profile_files); do
        if add_line "$line" "$profile"; then
            PROFILES="$PROFILES $profile"
        else
            say "cannot write $profile; add this line to it yourself: $line"
        fi
    done
    IFS=$old_ifs
    if [ -n "$PROFILES" ]; then
        say "New shells find $APP: $abs is put on PATH by$PROFILES (for this shell: export PATH=\"$abs:\$PATH\")"
    fi
}

cleanup() {
    if [ -n "$TMP" ]; then rm -rf "$TMP"; fi
    for f in $STAGED; do rm -f "$f"; done
}

main() {
    to=''
    while [ $# -gt 0 ]; do
        case "$1" in
            --to)
                if [ $# -lt 2 ]; then die "--to needs a directory"; fi
                to=$2
                shift 2
                ;;
            --to=*)
                to=${1#--to=}
                shift
                ;;
            --no-modify-path)
                MODIFY_PATH=0
                shift
                ;;
            --quiet | -q)
                QUIET=1
                shift
                ;;
            --version | -V)
                printf '%s %s\n' "$APP" "$VERSION"
                exit 0
                ;;
            --help | -h)
                usage
                exit 0
                ;;
            *) die "unknown option $1 (see --help)" ;;
        esac
    done

    case "${{{NO_MODIFY_PATH_VAR}}:-}" in
        '' | 0) ;;
        *) MODIFY_PATH=0 ;;
    esac

    row=$(pick_archive) || die "no $APP $VERSION archive fits this machine ($(uname -s) $(uname -m)); the release has: $(printf '%s\n' "$ARCHIVES" | awk 'NF { printf "%s ", $1 }')"
    read -r platform file sha url bins <<EOF
$row
EOF

    if [ -z "$to" ]; then
        # The app's own variable, then the one every crossdock installer reads.
        if [ -n "${{{INSTALL_DIR_VAR}}:-}" ]; then
            to=${{{INSTALL_DIR_VAR}}}
        elif [ -n "${CROSSDOCK_INSTALL_DIR:-}" ]; then
            to=$CROSSDOCK_INSTALL_DIR
        else
            if [ -z "${HOME:-}" ]; then die "HOME is not set; pass --to DIR"; fi
            cargo_home=${CARGO_HOME:-$HOME/.cargo}
            if [ -d "$cargo_home/bin" ]; then
                to=$cargo_home/bin
            else
                to=$HOME/.local/bin
            fi
        fi
    fi

    # Every tool before the download, so that nothing fails halfway.
    if ! need curl && ! need wget; then die "neither curl nor wget is installed; install one of them"; fi
    if ! need sha256sum && ! need shasum; then die "neither sha256sum nor shasum is installed, so the download cannot be verified"; fi
    case "$file" in
        *.zip) need unzip || die "$file needs unzip; install it" ;;
        *.tar.zst) need zstd || die "$file needs zstd; install it" ;;
    esac
    need tar || die "tar is not installed"

    TMP=$(mktemp -d 2>/dev/null || mktemp -d -t "$APP-install") || die "cannot create a temporary directory"
    trap cleanup EXIT
    trap 'exit 1' HUP INT TERM

    say "Downloading $APP $VERSION for $platform ($file)"
    download "$url" "$TMP/$file" || die "cannot download $url"
    actual=$(sha256_of "$TMP/$file") || die "cannot compute the SHA-256 of $file"
    if [ "$actual" != "$sha" ]; then
        die "$file does not match its SHA-256 (expected $sha, got $actual): the download is corrupt or was tampered with; nothing was installed"
    fi
    mkdir "$TMP/unpacked" || die "cannot create a directory in $TMP"
    extract "$TMP/$file" "$TMP/unpacked" || die "cannot unpack $file"

    mkdir -p "$to" || die "cannot create $to (choose another directory with --to DIR)"
    # Stage every binary next to its final name, then rename them all into place.
    old_ifs=$IFS
    IFS=,
    for path in $bins; do
        name=${path##*/}
        if [ ! -f "$TMP/unpacked/$path" ]; then die "$file lacks $path"; fi
        staged="$to/.$name.crossdock-install"
        STAGED="$STAGED $staged"
        cp "$TMP/unpacked/$path" "$staged" || die "cannot write into $to"
        chmod 755 "$staged" || die "cannot make $staged executable"
    done
    installed=''
    for path in $bins; do
        name=${path##*/}
        mv -f "$to/.$name.crossdock-install" "$to/$name" || die "cannot move $name into $to"
        installed="$installed $name"
    done
    IFS=$old_ifs
    STAGED=''

    say "Installed$installed into $to"
    put_on_path "$to"
    uninstall="To uninstall: rm"
    for name in $installed; do uninstall="$uninstall \"$to/$name\""; done
    if [ -n "$PROFILES" ]; then
        uninstall="$uninstall, and delete the line ending in \"$MARK\" from$PROFILES"
    fi
    say "$uninstall"
}

# CROSSDOCK_INSTALLER_SOURCED=1 loads the functions without running (crossdock's tests).
if [ "${CROSSDOCK_INSTALLER_SOURCED:-0}" != 1 ]; then
    main "$@"
fi
