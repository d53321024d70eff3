#!/bin/sh
set -eu
export RENDER_API_KEY="${RENDER_API_KEY}"
export RENDER_API_KEY_EXAMPLE="<your-token-here>"
export RENDER_API_KEY_OLD="rnd_036AuABFyqRXcgRU"
export RENDER_API_KEY_DOCS="rnd_00000000000000000000000000000000"
./deploy.sh
