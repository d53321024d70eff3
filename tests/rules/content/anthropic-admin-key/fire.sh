#!/bin/sh
set -eu
export ANTHROPIC_ADMIN_KEY="sk-ant-admin01-_0hsLX80DKkqaheKW7dLZhZtmLl0T_nEha025XW4Vx2Kw89XJINlntFjToH-J9lAYq3DV_4zgFXPL8SF9YvEuTWLN6T6XAA"
./deploy.sh
