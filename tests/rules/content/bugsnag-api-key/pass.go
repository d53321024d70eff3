package main

const (
	bugsnagApiKey = "${BUGSNAG_API_KEY}"
	bugsnagApiKeyExample = "<your-token-here>"
	bugsnagApiKeyOld = "c17f24c4965b016b"
	bugsnagApiKeyDocs = "00000000000000000000000000000000"
)
