#!/bin/sh
# Writes more than max_output_bytes.
cat > /dev/null
i=0
while [ $i -lt 5000 ]; do
  echo '{"hashtag":"nobody","video_count":1,"view_count":1}'
  i=$((i + 1))
done
