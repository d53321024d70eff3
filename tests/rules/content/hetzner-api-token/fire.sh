#!/bin/sh
set -eu
export HCLOUD_TOKEN="bTMnJQOMPxkNxP28LyWG89049zvFRLfXK9ZqzFAJe1dxYc8GDbsNtRTSOUHH7WKG"
./deploy.sh
