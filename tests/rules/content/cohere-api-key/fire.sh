#!/bin/sh
set -eu
export COHERE_API_KEY="Efk7BDcnS2gZpC5fQLTKbUJJCdcJyCogrlgtr61w"
./deploy.sh
