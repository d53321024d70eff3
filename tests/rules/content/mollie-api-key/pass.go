package main

const (
	mollieApiKey = "${MOLLIE_API_KEY}"
	mollieApiKeyExample = "<your-token-here>"
	mollieApiKeyOld = "test_WO3Mr6sh5Qj8"
	mollieApiKeyDocs = "0000_000000000000000000000000000000"
)
