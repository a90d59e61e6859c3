#!/bin/sh
# Answers one hashtag, then fails.
cat > /dev/null
echo '{"hashtag":"first","video_count":3,"view_count":4}'
echo "boom: the upstream API is down" >&2
exit 3
