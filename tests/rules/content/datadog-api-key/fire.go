package main

const (
	datadogApiKey = "0fc9aaf5f7b1bbcc738491da18f2531c"
)
