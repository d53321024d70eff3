#!/bin/sh
set -eu
export RENDER_API_KEY="rnd_036AuABFyqRXcgRUi5skm70R6OfKBV2i"
./deploy.sh
