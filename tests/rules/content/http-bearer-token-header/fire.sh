#!/bin/sh
curl -s -H "Authorization: Bearer qbjsGoDfNi0v9SyMqwPBDp8iCiqTSQaafeGpElB1" https://api.internal.example.net/v1/export
