package main

const (
	ibmcloudApiKey = "xugi-rkcgI2C7hPq2rX5BFwQ0myBxdrEcjQdMVP3faLN"
)
