package main

const (
	twilioAuthToken = "${TWILIO_AUTH_TOKEN}"
	twilioAuthTokenExample = "<your-token-here>"
	twilioAuthTokenOld = "de8a5aaff3273c5a"
	twilioAuthTokenDocs = "00000000000000000000000000000000"
)
