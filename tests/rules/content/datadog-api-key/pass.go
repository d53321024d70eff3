package main

const (
	datadogApiKey = "${DATADOG_API_KEY}"
	datadogApiKeyExample = "<your-token-here>"
	datadogApiKeyOld = "0fc9aaf5f7b1bbcc"
	datadogApiKeyDocs = "00000000000000000000000000000000"
)
