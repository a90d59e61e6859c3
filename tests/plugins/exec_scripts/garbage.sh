#!/bin/sh
# Prints garbage around one valid line.
cat > /dev/null
echo "hello, this is not JSON"
echo '{"hashtag": "second", "video_count": 5'
echo '{"hashtag":"first","video_count":10,"view_count":20}'
echo '{"hashtag":"second","video_count":"lots","view_count":1}'
echo '[1, 2, 3]'
