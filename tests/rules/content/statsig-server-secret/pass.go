package main

const (
	statsigServerSecret = "${STATSIG_SERVER_SECRET}"
	statsigServerSecretExample = "<your-token-here>"
	statsigServerSecretOld = "secret-sdGK0rnDofFLm9x7xvXIR"
	statsigServerSecretDocs = "secret-0000000000000000000000000000000000000000000"
)
