#!/bin/sh
set -eu
export SLACK_LEGACY_TOKEN="xoxs-9423-yqiItNlJshwroL9kWWIEV"
./deploy.sh
