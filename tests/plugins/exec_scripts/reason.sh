#!/bin/sh
# Reports the hashtag it reads as failed, with the reason named by $1.
IFS= read -r tag
printf '{"hashtag":"%s","error":"%s","message":"as asked"}\n' "$tag" "$1"
