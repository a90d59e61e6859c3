#!/bin/sh
# Spells hashtags its own way: the host matches them to the configured ones as the config
# normalises hashtags, keeps the first answer and ignores a hashtag nobody asked for.
cat > /dev/null
echo '{"hashtag":"#AITools","video_count":1,"view_count":10}'
echo '{"hashtag":"aitools","video_count":2,"view_count":20}'
echo '{"hashtag":"ÉTÉ","video_count":3,"view_count":30}'
echo '{"hashtag":"stranger","video_count":4,"view_count":40}'
