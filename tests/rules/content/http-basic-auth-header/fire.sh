#!/bin/sh
curl -s -H "Authorization: Basic c3ZjLWV4cG9ydDo4MzdreGE3MzlwNXk3eThqNUcyag==" https://api.internal.example.net/v1/export
