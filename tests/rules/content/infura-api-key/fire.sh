#!/bin/sh
set -eu
export INFURA_API_KEY="3b9589879796abc80952ce4344f98bd2"
./deploy.sh
