#!/bin/sh
set -eu
export BRAZE_API_KEY="8ca16c88-6920-1144-e0f1-54d498bd5452"
./deploy.sh
