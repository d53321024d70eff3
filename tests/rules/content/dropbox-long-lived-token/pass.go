package main

const (
	dropboxAccessToken = "${DROPBOX_ACCESS_TOKEN}"
	dropboxAccessTokenExample = "<your-token-here>"
	dropboxAccessTokenOld = "gEkKTczlvc6AAAAAAAAAAxLO1N6k44es"
	dropboxAccessTokenDocs = "0000000000000000000000000000000000000000000000000000000000000000"
)
