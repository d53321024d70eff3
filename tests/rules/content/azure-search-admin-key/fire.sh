#!/bin/sh
set -eu
export AZURE_SEARCH_ADMIN_KEY="FsD1sA4dTcSqITdqf0CBgsPQMr5hS4CMRzIypsnvNKAzSeKiPTub"
./deploy.sh
