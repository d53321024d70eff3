#!/bin/sh
set -eu
export TERRAFORM_CLOUD_TOKEN="MvtmeTfa5tihIH.atlasv1.xx2MUSFXa5RVHyPj854omZvTw3h1PZB7l-XHK70M42PBQIuiq86XCIEjoqppj"
./deploy.sh
