package main

const (
	groqApiKey = "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"
)
