#!/bin/sh
set -eu
export RAZORPAY_KEY="rzp_live_j0Z48kjOjEXBPO"
./deploy.sh
