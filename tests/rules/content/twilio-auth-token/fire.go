package main

const (
	twilioAuthToken = "de8a5aaff3273c5ab5ecd96ec9a8a1c4"
)
