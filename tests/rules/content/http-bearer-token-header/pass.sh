#!/bin/sh
curl -s -H "Authorization: Bearer $TOKEN" https://api.internal.example.net/v1/export
curl -H "Authorization: Bearer <token>" x
