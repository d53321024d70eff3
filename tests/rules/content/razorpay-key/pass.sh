#!/bin/sh
set -eu
export RAZORPAY_KEY="${RAZORPAY_KEY}"
export RAZORPAY_KEY_EXAMPLE="<your-token-here>"
export RAZORPAY_KEY_OLD="rzp_live_j0Z4"
export RAZORPAY_KEY_DOCS="rzp_0000_00000000000000"
./deploy.sh
