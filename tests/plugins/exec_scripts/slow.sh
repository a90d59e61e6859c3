#!/bin/sh
# Answers the first hashtag, then hangs (in a child process too, so that only killing the
# process group ends it).
IFS= read -r tag
printf '{"hashtag":"%s","video_count":1,"view_count":2}\n' "$tag"
sleep 30 &
sleep 30
