#!/bin/sh
set -eu
export BEAMER_API_KEY="b_Xg4=Stf6w-_uO3WSk5UEvuDO350Y7Kobne7d6mDSOzl4"
./deploy.sh
