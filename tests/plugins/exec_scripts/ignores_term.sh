#!/bin/sh
# Ignores SIGTERM and sleeps for minutes in a child of its own (which inherits the ignored
# SIGTERM), after writing "<its pid> <the child's pid>" to the file $1: only SIGKILL to the whole
# process group stops it.
trap '' TERM
sleep 300 &
echo "$$ $!" > "$1.tmp"
mv "$1.tmp" "$1"
wait
