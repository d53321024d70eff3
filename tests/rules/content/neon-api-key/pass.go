package main

const (
	neonApiKey = "${NEON_API_KEY}"
	neonApiKeyExample = "<your-token-here>"
	neonApiKeyOld = "napi_ht5k47r60wmcxkcvkjsakyemcpyxxw37"
	neonApiKeyDocs = "napi_0000000000000000000000000000000000000000000000000000000000000000"
)
