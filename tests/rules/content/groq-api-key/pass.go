package main

const (
	groqApiKey = "${GROQ_API_KEY}"
	groqApiKeyExample = "<your-token-here>"
	groqApiKeyOld = "gsk_iSfoQlMdIGZYmJNpJ8DS9cZvJN"
	groqApiKeyDocs = "gsk_0000000000000000000000000000000000000000000000000000"
)
