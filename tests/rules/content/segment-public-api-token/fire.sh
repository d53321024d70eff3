#!/bin/sh
set -eu
export SEGMENT_PUBLIC_API_TOKEN="sgp_xdxVSR0kxuwKSC5C48UyrNBQIfacgejnyn4oQwEwJPeWqFrRA4UtYRW8Io2K8DMI"
./deploy.sh
