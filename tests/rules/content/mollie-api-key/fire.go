package main

const (
	mollieApiKey = "test_WO3Mr6sh5Qj84DMgcsL2VPIt9oDR6Q"
)
