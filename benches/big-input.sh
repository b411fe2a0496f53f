# shellcheck shell=bash
# Sourced by the benchmark scripts: `big_input FILE [BYTES]` writes a 100 MB (or BYTES)
# binary-like file, real executables and libraries of this machine concatenated (code, data
# and zero runs, like a big release binary), executable. The same input for every bench that
# archives one (a smaller one is the first BYTES of the 100 MB one).
big_input() {
  local out=$1 size=${2:-104857600}
  : >"$out"
  while [ "$(stat -c %s "$out")" -lt "$size" ]; do
    for f in /usr/bin/* /usr/lib/x86_64-linux-gnu/*.so*; do
      [ -f "$f" ] && cat "$f" >>"$out"
      [ "$(stat -c %s "$out")" -ge "$size" ] && break
    done
  done
  truncate -s "$size" "$out"
  chmod 755 "$out"
}
