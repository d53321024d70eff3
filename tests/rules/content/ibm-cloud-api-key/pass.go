package main

const (
	ibmcloudApiKey = "${IBMCLOUD_API_KEY}"
	ibmcloudApiKeyExample = "<your-token-here>"
	ibmcloudApiKeyOld = "xugi-rkcgI2C7hPq2rX5BF"
	ibmcloudApiKeyDocs = "0000-000000000000000000000000000000000000000"
)
