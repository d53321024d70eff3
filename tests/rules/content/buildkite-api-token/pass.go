package main

const (
	buildkiteApiToken = "${BUILDKITE_API_TOKEN}"
	buildkiteApiTokenExample = "<your-token-here>"
	buildkiteApiTokenOld = "bkua_cbcadbfd4696a9f367bc"
	buildkiteApiTokenDocs = "bkua_0000000000000000000000000000000000000000"
)
