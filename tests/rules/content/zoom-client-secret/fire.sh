#!/bin/sh
set -eu
export ZOOM_CLIENT_SECRET="bOrx9rBzCU3SNAiVgNU3fib1OfPRjncK"
./deploy.sh
