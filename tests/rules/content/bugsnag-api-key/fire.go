package main

const (
	bugsnagApiKey = "c17f24c4965b016b96ce24b9df119c6e"
)
