#!/bin/sh
set -eu
export AIRTABLE_PERSONAL_ACCESS_TOKEN="patdDIMNcRdYy6xoD.bd879d95c0fcce522c7cef8c39538c43f5c73a352e973c9ac7ae9258168fd921"
./deploy.sh
