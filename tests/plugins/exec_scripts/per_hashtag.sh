#!/bin/sh
# Per-hashtag mode: the hashtag is the first argument; the answer may leave out "hashtag".
case "$1" in
  crash) kill -SEGV $$ ;;
  *) printf '{"video_count":%d,"view_count":42}\n' "${#1}" ;;
esac
