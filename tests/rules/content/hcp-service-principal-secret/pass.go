package main

const (
	hcpClientSecret = "${HCP_CLIENT_SECRET}"
	hcpClientSecretExample = "<your-token-here>"
	hcpClientSecretOld = "rI1e282iFNWK7kB5orjsNUsGRclJU33h"
	hcpClientSecretDocs = "000000000000000000000000000000000000000000_000000000000000000000"
)
