#!/bin/sh
set -eu
export BRAZE_API_KEY="${BRAZE_API_KEY}"
export BRAZE_API_KEY_EXAMPLE="<your-token-here>"
export BRAZE_API_KEY_OLD="8ca16c88-6920-1144"
export BRAZE_API_KEY_DOCS="00000000-0000-0000-0000-000000000000"
./deploy.sh
