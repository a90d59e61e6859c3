#!/usr/bin/env bash
# Assembles the runtime stage's root file system in ROOT from the installed exporter in PREFIX:
# the files of exactly the Debian packages that hold a library the exporter's ELF files load
# (ldd, resolved to packages with dpkg -S, copied with dpkg -L less their documentation but
# with each package's copyright file), the CA bundle, a passwd/group naming the user it runs as, and the
# folders it writes. No shell, no package manager: the image then runs only the exporter.
#   deploy/docker/runtime-root.sh PREFIX ROOT
# Runs in the Dockerfile's build stage, where those packages are installed (the -dev packages
# depend on them).
set -euo pipefail

prefix="$1"
root="$2"
uid=65534

# Debian 12 is merged-/usr: /lib and /lib64 are links into /usr, as the packages' paths expect.
mkdir -p "$root/usr/lib" "$root/usr/lib64" "$root/usr/bin" "$root/usr/sbin"
for dir in lib lib64 bin sbin; do
  ln -sfn "usr/$dir" "$root/$dir"
done

# Every library any ELF file under PREFIX (binary, plugins, TLS shims) loads, transitively.
mapfile -t elf_files < <(find "$prefix" -type f \( -perm -u+x -o -name '*.so*' \))
libraries=()
for file in "${elf_files[@]}"; do
  # Scripts and data are "not a dynamic executable": skip them.
  if output="$(ldd "$file" 2>/dev/null)"; then
    mapfile -t -O "${#libraries[@]}" libraries < <(awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$output")
  fi
done
[ "${#libraries[@]}" -gt 0 ] || { echo "runtime-root.sh: no library found under $prefix" >&2; exit 1; }

# The packages holding them (dpkg knows /lib/... and /usr/lib/... paths: try both spellings).
packages=()
for library in $(printf '%s\n' "${libraries[@]}" | sort -u); do
  real="$(readlink -f "$library")"
  found=""
  for candidate in "$library" "$real" "${library#/usr}" "/usr${library}" "${real#/usr}" "/usr${real}"; do
    if found="$(dpkg -S "$candidate" 2>/dev/null)"; then break; fi
  done
  [ -n "$found" ] || { echo "runtime-root.sh: no package holds $library" >&2; exit 1; }
  packages+=("${found%%:*}")
done
# ca-certificates: HTTPS to the API (libcurl reads /etc/ssl/certs/ca-certificates.crt, which
# update-ca-certificates generated when the package was installed; it is not in dpkg -L).
packages+=(ca-certificates)
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
echo "runtime packages: ${packages[*]}"
mkdir -p "$root/usr/share/doc/hashtag-exporter"
printf '%s\n' "${packages[@]}" >"$root/usr/share/doc/hashtag-exporter/runtime-packages"

# Their files and links (not folders: tar makes those, and following /lib through the link).
for package in "${packages[@]}"; do
  dpkg -L "$package" | while IFS= read -r path; do
    case "$path" in
      # Documentation other than the licences, manual pages: nobody reads them in the image.
      /usr/share/doc/*/copyright) ;;
      /usr/share/doc/* | /usr/share/man/* | /usr/share/info/* | /usr/share/lintian/*) continue ;;
    esac
    if [ ! -d "$path" ] || [ -L "$path" ]; then printf '%s\n' "${path#/}"; fi
  done
done | sort -u >"$root/.runtime-files"
tar -C / --no-recursion -cf - -T "$root/.runtime-files" | tar -C "$root" --keep-directory-symlink -xf -
rm "$root/.runtime-files"
mkdir -p "$root/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"

# The exporter itself.
mkdir -p "$root$prefix"
cp -a "$prefix/." "$root$prefix/"

# A user for ps/podman top to name; the image runs as it (USER in the Dockerfile).
mkdir -p "$root/etc"
echo "root:x:0:0:root:/root:/usr/sbin/nologin" >"$root/etc/passwd"
echo "nobody:x:$uid:$uid:nobody:/nonexistent:/usr/sbin/nologin" >>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:%s:\n' "$uid" >"$root/etc/group"

# Writable by the user: the history volume, the demo's folder (its history is beside its
# config) and /tmp (SQLite's temporary files).
mkdir -p "$root/var/lib/hashtag_exporter" "$root$prefix/demo"
chown "$uid:$uid" "$root/var/lib/hashtag_exporter" "$root$prefix/demo"
install -d -m 1777 "$root/tmp"
