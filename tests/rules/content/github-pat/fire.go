package main

const (
	githubPat = "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"
)
