#!/bin/sh
set -eu
export NGROK_AUTHTOKEN="3GcOZd8wO5IhNhu1le8bxdQCS4_4MzRjfLZBH5ixonwo6WRd"
./deploy.sh
