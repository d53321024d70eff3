package main

const (
	togetherApiKey = "${TOGETHER_API_KEY}"
	togetherApiKeyExample = "<your-token-here>"
	togetherApiKeyOld = "affd7244c683214fe7b5c60df3df7bfb"
	togetherApiKeyDocs = "0000000000000000000000000000000000000000000000000000000000000000"
)
