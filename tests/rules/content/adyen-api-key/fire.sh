#!/bin/sh
set -eu
export ADYEN_API_KEY="AQENT-cJG4Hv56/tEP/yh66ugyLCEymNdgJg6eisyvrk6h12u5RgPRNjpRoplIKtFp4k-KOry15fo3kCeJjCC/+Dy-yRBXPbPlvzv"
./deploy.sh
