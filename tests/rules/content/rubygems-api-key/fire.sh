#!/bin/sh
set -eu
export RUBYGEMS_API_KEY="rubygems_c62da093d4166eef51bd178de07ff749b80a9e46b8dc9813"
./deploy.sh
