#!/bin/sh
set -eu
export CIRCLECI_PERSONAL_TOKEN="CCIPAT_xulpAXKN5vNUICeE5ee6u7_87ab3c1c0ca1244654f1a49c3c7a724d4958df86"
./deploy.sh
