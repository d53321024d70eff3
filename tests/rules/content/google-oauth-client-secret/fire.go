package main

const (
	googleOauthClientSecret = "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"
)
