package main

const (
	clickupApiToken = "${CLICKUP_API_TOKEN}"
	clickupApiTokenExample = "<your-token-here>"
	clickupApiTokenOld = "pk_323360_U7I1QZUMBMSL"
	clickupApiTokenDocs = "pk_000000_00000000000000000000000000000000"
)
