#!/bin/sh
# A driver that never says ready (for the runtime tests).
echo "starting up, not JSON"
exec sleep 1000
