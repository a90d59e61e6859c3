#!/bin/sh
# An example program for the exec source (examples/exec-per-collection.yml): reads one hashtag
# per line on standard input and prints one JSON line per hashtag on standard output. Counts
# here come from a local file of "hashtag videos views" lines; a real program would call an API.
# Diagnostics go to standard error, which the exporter logs.
data=${HASHTAG_COUNTS_FILE:-/var/lib/hashtag_exporter/counts.txt}
while IFS= read -r tag; do
  line=$(grep -m1 "^$tag " "$data" 2>/dev/null) || line=
  if [ -z "$line" ]; then
    echo "no counts for $tag in $data" >&2
    printf '{"hashtag":"%s","error":"not_found","message":"not in %s"}\n' "$tag" "$data"
    continue
  fi
  set -- $line
  printf '{"hashtag":"%s","video_count":%s,"view_count":%s}\n' "$1" "$2" "$3"
done
