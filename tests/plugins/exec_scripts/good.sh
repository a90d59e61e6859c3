#!/bin/sh
# Well-behaved: one JSON line per hashtag read on stdin (counts as numbers or strings), a
# not_found error for "unknown", and a diagnostic on stderr.
echo "good.sh starting" >&2
while IFS= read -r tag; do
  case "$tag" in
    unknown) printf '{"hashtag":"%s","error":"not_found","message":"never heard of it"}\n' "$tag" ;;
    strings) printf '{"hashtag":"%s","video_count":"77","view_count":"7700"}\n' "$tag" ;;
    *) printf '{"hashtag":"%s","video_count":%d,"view_count":%d}\n' "$tag" "${#tag}" "$((${#tag} * 100))" ;;
  esac
done
