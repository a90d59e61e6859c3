#!/bin/sh
# A careless program: quotes its argument and its token from the environment on standard error
# and in the failure message of every hashtag.
echo "called with $1 and $HX_TEST_API_TOKEN" >&2
while read -r tag; do
  printf '{"hashtag": "%s", "error": "auth", "message": "refused %s / %s"}\n' \
    "$tag" "$1" "$HX_TEST_API_TOKEN"
done
