#!/bin/sh
set -eu
export PLANETSCALE_TOKEN="pscale_pw_xgLtdvYJXaAwSbTKXF6YseiKgHmI9Ol=L5FydI"
./deploy.sh
