#!/bin/sh
set -eu
export INTERCOM_ACCESS_TOKEN="bJICv3UmJKjip-wS1TjiixTFzq7eTIqik0agxEIFWYq7jnKgrP8ZsrnQY_hA"
./deploy.sh
